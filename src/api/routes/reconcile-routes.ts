import { z } from 'zod';
import type { ReconcileReport } from '../../core/reconcile/reconcile.js';
import { toSyncError, type SyncErrorJson } from '../../core/errors.js';
import { findFlow } from '../../operations/operations-context.js';
import { reconcileFlowNow, reconcileHistory } from '../../operations/reconcile.js';
import { sendError } from '../api-error.js';
import { callerOf, requireRole } from '../auth.js';
import { flowParams, pageOf, pageQuery, typed, type RouteContext } from './route-context.js';

/** A reconcile started through the API: it runs in the background; its report is kept for GET. */
interface ReconcileJob {
  readonly startedAt: string;
  readonly by: string;
  readonly mode: 'checksum' | 'full';
  readonly repair: boolean;
  finishedAt?: string;
  report?: ReconcileReport;
  error?: SyncErrorJson;
}

/** Reconcile: start one (it runs in the background), see how it went, and the history. */
export function registerReconcileRoutes({ app, operations }: RouteContext): void {
  const api = typed(app);
  const jobs = new Map<string, ReconcileJob>();
  api.post('/api/v1/flows/:flow/reconcile', {
    schema: {
      tags: ['reconcile'],
      summary: 'Start comparing (and with repair, repairing) source and target; 202 at once',
      params: flowParams,
      body: z
        .strictObject({
          mode: z.enum(['checksum', 'full']).optional().describe('Default checksum'),
          repair: z.boolean().optional().describe('Apply the compensating changes, then compare again'),
        })
        .nullish(),
    },
    preHandler: requireRole(operations, 'operator'),
    handler: (request, reply) => {
      const flow = findFlow(operations, request.params.flow);
      const running = jobs.get(flow.name);
      if (running !== undefined && running.finishedAt === undefined)
        return sendError(reply, 'FLOW_BUSY', `A reconcile of flow "${flow.name}" started at ${running.startedAt} is still running`, {
          flow: flow.name,
        });
      const job: ReconcileJob = {
        startedAt: new Date().toISOString(),
        by: callerOf(request).name,
        mode: request.body?.mode ?? 'checksum',
        repair: request.body?.repair === true,
      };
      jobs.set(flow.name, job);
      reconcileFlowNow(operations, { actor: job.by, flow: flow.name, mode: job.mode, repair: job.repair }).then(
        (report) => {
          job.report = report;
          job.finishedAt = new Date().toISOString();
        },
        (error: unknown) => {
          job.error = toSyncError(error, { flow: flow.name }).toJSON();
          job.finishedAt = new Date().toISOString();
          operations.logger.warn(`API reconcile of flow ${flow.name} failed: ${job.error.message}`);
        },
      );
      return reply.code(202).send({ flow: flow.name, startedAt: job.startedAt, mode: job.mode, repair: job.repair });
    },
  });
  api.get('/api/v1/flows/:flow/reconcile', {
    schema: { tags: ['reconcile'], summary: 'The reconcile started through this server: running, or its report', params: flowParams },
    preHandler: requireRole(operations, 'viewer'),
    handler: (request) => {
      const flow = findFlow(operations, request.params.flow);
      const job = jobs.get(flow.name);
      return { flow: flow.name, reconcile: job === undefined ? null : { ...job, running: job.finishedAt === undefined } };
    },
  });
  api.get('/api/v1/flows/:flow/reconciliations', {
    schema: { tags: ['reconcile'], summary: 'Past reconciles (summaries), newest first', params: flowParams, querystring: pageQuery },
    preHandler: requireRole(operations, 'viewer'),
    handler: (request) => reconcileHistory(operations, { flow: request.params.flow, ...pageOf(request.query) }),
  });
}

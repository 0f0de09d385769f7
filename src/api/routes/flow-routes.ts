import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { clearOverride, overrideCadence } from '../../operations/cadence-override.js';
import { pauseFlow, resumeFlow, runFlowNow } from '../../operations/flow-control.js';
import { cadenceDecisions, flowRuns } from '../../operations/flow-history.js';
import { flowStatuses } from '../../operations/flow-status.js';
import { findFlow } from '../../operations/operations-context.js';
import { resyncFlow, type ResyncTarget } from '../../operations/resync.js';
import { callerOf, requireRole } from '../auth.js';
import { flowParams, pageOf, pageQuery, typed, type RouteContext } from './route-context.js';

const scalar = z.union([z.string(), z.number()]);

/** The bounds of a key and/or cursor range (at least one). */
const rangeFields = z
  .strictObject({
    fromKey: scalar.optional().describe('First key (inclusive)'),
    toKey: scalar.optional().describe('Last key (inclusive)'),
    since: z.string().optional().describe('Cursor at least this (ISO 8601 time or a number)'),
    until: z.string().optional().describe('Cursor at most this'),
  })
  .refine((range) => Object.keys(range).length > 0, {
    message: 'give at least one of fromKey, toKey, since, until',
  });

/** A resync request: keys, a range (nested under `range` or at the top level), or all. */
const resyncBody = z.union([
  z.strictObject({ keys: z.array(scalar).min(1).max(10_000).describe('Source keys to write again') }),
  z.strictObject({ range: rangeFields }),
  z.strictObject({ all: z.literal(true).describe('Reset the checkpoints: the next cycle reads everything') }),
  rangeFields,
]);

function resyncTarget(body: z.infer<typeof resyncBody>): ResyncTarget {
  if ('keys' in body) return { keys: body.keys.map(String) };
  if ('all' in body) return { all: true };
  const { fromKey, toKey, since, until } = 'range' in body ? body.range : body;
  return {
    range: {
      ...(fromKey === undefined ? {} : { fromKey }),
      ...(toKey === undefined ? {} : { toKey }),
      ...(since === undefined ? {} : { fromCursor: since }),
      ...(until === undefined ? {} : { toCursor: until }),
    },
  };
}

/** Flows: status, history, decisions, and the actions on one flow. */
export function registerFlowRoutes({ app, operations }: RouteContext): void {
  const api = typed(app);
  const viewer = requireRole(operations, 'viewer');
  const operator = requireRole(operations, 'operator');
  api.get('/api/v1/flows', {
    schema: { tags: ['flows'], summary: 'Every flow: status, counts, next cycle, live state' },
    preHandler: viewer,
    handler: async () => ({ flows: await flowStatuses(operations) }),
  });
  api.get('/api/v1/flows/:flow', {
    schema: { tags: ['flows'], summary: 'One flow: status and live snapshot', params: flowParams },
    preHandler: viewer,
    handler: async (request) => {
      const [status] = await flowStatuses(operations, { flow: request.params.flow });
      return { flow: status };
    },
  });
  api.get('/api/v1/flows/:flow/runs', {
    schema: { tags: ['flows'], summary: 'Run history, newest first', params: flowParams, querystring: pageQuery },
    preHandler: viewer,
    handler: (request) => flowRuns(operations, { flow: request.params.flow, ...pageOf(request.query) }),
  });
  api.get('/api/v1/flows/:flow/cadence/decisions', {
    schema: { tags: ['flows'], summary: "The adaptive controller's recent decisions with reasons", params: flowParams },
    preHandler: viewer,
    handler: async (request) => ({ decisions: await cadenceDecisions(operations, { flow: request.params.flow }) }),
  });
  api.post('/api/v1/flows/:flow/run', {
    schema: { tags: ['actions'], summary: 'Run a cycle now, ahead of the cadence', params: flowParams },
    preHandler: operator,
    handler: async (request, reply) => {
      const result = await runFlowNow(operations, { actor: callerOf(request).name, flow: request.params.flow });
      return reply.code(result.outcome === 'started' || result.outcome === 'already-running' ? 202 : 409).send(result);
    },
  });
  api.post('/api/v1/flows/:flow/pause', {
    schema: {
      tags: ['actions'],
      summary: 'Pause a flow in every process until resumed',
      params: flowParams,
      body: z.strictObject({ reason: z.string().max(500).optional() }).nullish(),
    },
    preHandler: operator,
    handler: (request) =>
      pauseFlow(operations, {
        actor: callerOf(request).name,
        flow: request.params.flow,
        ...(request.body?.reason === undefined ? {} : { reason: request.body.reason }),
      }),
  });
  api.post('/api/v1/flows/:flow/resume', {
    schema: { tags: ['actions'], summary: 'Resume a paused flow', params: flowParams },
    preHandler: operator,
    handler: (request) => resumeFlow(operations, { actor: callerOf(request).name, flow: request.params.flow }),
  });
  api.post('/api/v1/flows/:flow/resync', {
    schema: {
      tags: ['actions'],
      summary: 'Write records again from the source: keys, a range, or all',
      params: flowParams,
      body: resyncBody,
    },
    preHandler: operator,
    handler: (request) => {
      findFlow(operations, request.params.flow);
      return resyncFlow(operations, {
        actor: callerOf(request).name,
        flow: request.params.flow,
        target: resyncTarget(request.body),
      });
    },
  });
  api.post('/api/v1/flows/:flow/cadence', {
    schema: {
      tags: ['actions'],
      summary: 'Run the flow every `every` for `for`, then back to its configured cadence',
      params: flowParams,
      body: z.strictObject({
        every: positiveDurationMs.describe('e.g. 10s'),
        for: positiveDurationMs.describe('e.g. 2h'),
      }),
    },
    preHandler: operator,
    handler: (request) =>
      overrideCadence(operations, {
        actor: callerOf(request).name,
        flow: request.params.flow,
        everyMs: request.body.every,
        forMs: request.body.for,
      }),
  });
  api.delete('/api/v1/flows/:flow/cadence', {
    schema: { tags: ['actions'], summary: 'End a cadence override now', params: flowParams },
    preHandler: operator,
    handler: (request) => clearOverride(operations, { actor: callerOf(request).name, flow: request.params.flow }),
  });
}

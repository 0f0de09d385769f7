import { z } from 'zod';
import { listConflicts, resolveConflict } from '../../operations/conflicts.js';
import { listDeadLetters, replayDeadLetters } from '../../operations/dead-letters.js';
import { callerOf, requireRole } from '../auth.js';
import { flowParams, pageOf, pageQuery, typed, type RouteContext } from './route-context.js';

const deadLetterQuery = pageQuery.extend({
  status: z.enum(['open', 'replayed', 'discarded']).optional().describe('Default open'),
});
const conflictQuery = pageQuery.extend({ status: z.enum(['open', 'resolved']).optional().describe('Default open') });

/** Dead letters and conflicts: the records that need a person. */
export function registerRecordRoutes({ app, operations }: RouteContext): void {
  const api = typed(app);
  const viewer = requireRole(operations, 'viewer');
  const operator = requireRole(operations, 'operator');
  api.get('/api/v1/dead-letters', {
    schema: { tags: ['dead letters'], summary: 'Dead letters of every flow, newest first', querystring: deadLetterQuery },
    preHandler: viewer,
    handler: (request) =>
      listDeadLetters(operations, {
        ...pageOf(request.query),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      }),
  });
  api.get('/api/v1/flows/:flow/dead-letters', {
    schema: { tags: ['dead letters'], summary: "A flow's dead letters, newest first", params: flowParams, querystring: deadLetterQuery },
    preHandler: viewer,
    handler: (request) =>
      listDeadLetters(operations, {
        flow: request.params.flow,
        ...pageOf(request.query),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      }),
  });
  api.post('/api/v1/flows/:flow/dead-letters/replay', {
    schema: {
      tags: ['dead letters'],
      summary: "Write a flow's open dead letters (or the ones named) again from the source",
      params: flowParams,
      body: z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(10_000).optional() }).nullish(),
    },
    preHandler: operator,
    handler: (request) =>
      replayDeadLetters(operations, {
        actor: callerOf(request).name,
        flow: request.params.flow,
        ...(request.body?.ids === undefined ? {} : { ids: request.body.ids }),
      }),
  });
  api.get('/api/v1/conflicts', {
    schema: { tags: ['conflicts'], summary: 'Parked conflicts of every flow, newest first', querystring: conflictQuery },
    preHandler: viewer,
    handler: (request) =>
      listConflicts(operations, {
        ...pageOf(request.query),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      }),
  });
  api.get('/api/v1/flows/:flow/conflicts', {
    schema: { tags: ['conflicts'], summary: "A flow's parked conflicts", params: flowParams, querystring: conflictQuery },
    preHandler: viewer,
    handler: (request) =>
      listConflicts(operations, {
        flow: request.params.flow,
        ...pageOf(request.query),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      }),
  });
  api.post('/api/v1/flows/:flow/conflicts/resolve', {
    schema: {
      tags: ['conflicts'],
      summary: 'Settle a parked conflict: take one side, or merge',
      params: flowParams,
      body: z.strictObject({
        key: z.union([z.string().min(1), z.number()]).describe('The source key of the record'),
        take: z.string().min(1).describe('source, target, merge, or a side’s connection name'),
      }),
    },
    preHandler: operator,
    handler: (request) =>
      resolveConflict(operations, {
        actor: callerOf(request).name,
        flow: request.params.flow,
        key: String(request.body.key),
        take: request.body.take,
      }),
  });
}

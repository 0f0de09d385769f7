import { z } from 'zod';
import { queryAudit } from '../../operations/audit-log.js';
import { requireRole } from '../auth.js';
import { pageOf, pageQuery, typed, type RouteContext } from './route-context.js';

/** The audit log. */
export function registerAuditRoutes({ app, operations }: RouteContext): void {
  typed(app).get('/api/v1/audit', {
    schema: {
      tags: ['audit'],
      summary: 'Who did what, when, and what came of it; newest first',
      querystring: pageQuery.extend({
        flow: z.string().optional(),
        action: z.string().optional().describe('e.g. resync, dlq.replay, api.refused'),
      }),
    },
    preHandler: requireRole(operations, 'viewer'),
    handler: (request) =>
      queryAudit(operations, {
        ...pageOf(request.query),
        ...(request.query.flow === undefined ? {} : { flow: request.query.flow }),
        ...(request.query.action === undefined ? {} : { action: request.query.action }),
      }),
  });
}

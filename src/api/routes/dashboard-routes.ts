import { createHash } from 'node:crypto';
import { z } from 'zod';
import { machineTimeZone } from '../../cadence/zoned-time.js';
import { listAlertHistory } from '../../operations/alert-history.js';
import { overview } from '../../operations/overview.js';
import { runSeries } from '../../operations/run-series.js';
import { callerOf, requireRole } from '../auth.js';
import { pageOf, pageQuery, typed, type RouteContext } from './route-context.js';

/** A strong validator of a JSON body: the same body, the same tag. */
function etagOf(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/** What the dashboard reads: who the token is, the wall screen in one request, series, alert history. */
export function registerDashboardRoutes({ app, operations }: RouteContext): void {
  const api = typed(app);
  const viewer = requireRole(operations, 'viewer');
  api.get('/api/v1/session', {
    schema: {
      tags: ['dashboard'],
      summary: "The token's name and role (what the dashboard may offer), and the server's time zone",
    },
    preHandler: viewer,
    handler: (request) => {
      const caller = callerOf(request);
      return { name: caller.name, role: caller.role, serverTimeZone: machineTimeZone() };
    },
  });
  api.get('/api/v1/overview', {
    schema: {
      tags: ['dashboard'],
      summary: 'The wall screen in one request: flow tiles, totals, alerts, targets, 24 h series; ETag/304',
      querystring: z.object({
        tz: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe('IANA zone that "today" is counted in; default the server\'s'),
      }),
    },
    preHandler: viewer,
    handler: async (request, reply) => {
      const body = await overview(
        operations,
        request.query.tz === undefined ? {} : { timeZone: request.query.tz },
      );
      const json = JSON.stringify(body);
      const etag = etagOf(json);
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(json);
    },
  });
  api.get('/api/v1/activity', {
    schema: {
      tags: ['dashboard'],
      summary: 'Runs summed per flow and time bucket (read, written, cycles, freshness) over the last hours',
      querystring: z.object({
        hours: z.coerce
          .number()
          .positive()
          .max(24 * 31)
          .optional()
          .describe('Default 24'),
        bucket: z.coerce
          .number()
          .int()
          .min(60_000)
          .optional()
          .describe('Bucket width in ms; default 900000 (15 min)'),
        flow: z.string().min(1).optional(),
      }),
    },
    preHandler: viewer,
    handler: (request) =>
      runSeries(operations, {
        ...(request.query.hours === undefined ? {} : { hours: request.query.hours }),
        ...(request.query.bucket === undefined ? {} : { bucketMs: request.query.bucket }),
        ...(request.query.flow === undefined ? {} : { flow: request.query.flow }),
      }),
  });
  api.get('/api/v1/alerts', {
    schema: {
      tags: ['dashboard'],
      summary: 'Alert episodes (a rule on a flow, firing → resolved), newest first, a page',
      querystring: pageQuery.extend({
        status: z.enum(['firing', 'resolved']).optional().describe('Default both'),
        flow: z.string().min(1).optional(),
      }),
    },
    preHandler: viewer,
    handler: (request) =>
      listAlertHistory(operations, {
        ...pageOf(request.query),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
        ...(request.query.flow === undefined ? {} : { flow: request.query.flow }),
      }),
  });
}

import { z } from 'zod';
import { clusterStatus } from '../../operations/cluster-status.js';
import { requireRole } from '../auth.js';
import { errorResponse, typed, type RouteContext } from './route-context.js';

const queueDepth = z.object({
  waiting: z.number().int().describe('Jobs waiting for a worker (prioritized ones included)'),
  active: z.number().int().describe('Jobs a worker runs now'),
  delayed: z.number().int().describe('Jobs waiting for their time (a retry after backoff)'),
  failed: z.number().int().describe('Jobs that failed for good, kept for inspection'),
  completed: z.number().int().describe('Finished jobs still kept in Redis (an hour)'),
});

const clusterWorker = z.object({
  id: z.string().describe('`host:pid:random`'),
  host: z.string(),
  pid: z.number().int(),
  concurrency: z.number().int().describe('Cycles it runs at once'),
  running: z.array(z.string()).describe('Flows whose cycles it runs now'),
  jobsDone: z.number().int().describe('Cycles it finished since it started'),
  startedAt: z.string().describe('ISO 8601'),
  heartbeatAt: z.string().describe('Its last heartbeat, ISO 8601 (every 5 s; gone after 15 s without one)'),
  state: z.enum(['running', 'draining']).describe('`draining` after SIGTERM: finishing the batches in hand'),
});

/** `GET /api/v1/cluster`: a BullMQ deployment's leader, workers and queues, or `{ runtime: 'local' }`. */
export const clusterResponse = z.union([
  z
    .object({
      runtime: z.literal('bullmq'),
      prefix: z.string().describe('The Redis key prefix of the deployment'),
      leader: z
        .object({
          id: z.string(),
          host: z.string(),
          pid: z.number().int(),
          since: z.string().describe('ISO 8601'),
        })
        .optional()
        .describe('The leading scheduler; absent while none leads (a takeover is under way)'),
      workers: z.array(clusterWorker),
      queues: z.record(z.string(), queueDepth).describe('By queue name: `cycles`, `lanes`'),
    })
    .describe('A scaled-out deployment (runtime: bullmq)'),
  z.object({ runtime: z.literal('local') }).describe('Flows run in the serving process: no cluster'),
]);

/** Who runs a scaled-out deployment (docs/scale-out.md). */
export function registerClusterRoutes({ app, operations }: RouteContext): void {
  const api = typed(app);
  api.get('/api/v1/cluster', {
    schema: {
      tags: ['system'],
      summary: 'The leading scheduler, the workers and the queue depths of a BullMQ deployment',
      response: { 200: clusterResponse, 503: errorResponse },
    },
    preHandler: requireRole(operations, 'viewer'),
    handler: () => clusterStatus(operations),
  });
}

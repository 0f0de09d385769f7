import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OperationsContext } from '../../operations/operations-context.js';
import type { Runtime } from '../../runtime/runtime.js';

/** What every route module gets: the app with zod schemas, and the operations it calls. */
export interface RouteContext {
  readonly app: FastifyInstance;
  readonly operations: OperationsContext & { readonly runtime: Runtime };
}

/** The app typed for zod schemas (requests validated, OpenAPI generated from the same schemas). */
export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}

/** `{flow}` in a path. */
export const flowParams = z.object({ flow: z.string().min(1).describe('The flow name, as under `flows:`') });

/** Keyset paging: `limit` (1–1,000, default 50) and `before` (the previous page's `nextBefore`). */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Items per page (default 50)'),
  before: z.coerce.number().int().positive().optional().describe("Items older than this id (the last page's nextBefore)"),
});

/** The query fields of a page request, without the ones left out. */
export function pageOf(query: { limit?: number | undefined; before?: number | undefined }): {
  limit?: number;
  before?: number;
} {
  return {
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.before === undefined ? {} : { before: query.before }),
  };
}

/** The standard error response, for the OpenAPI document. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('A code of docs/errors.md'),
      message: z.string(),
      flow: z.string().optional(),
      key: z.string().optional(),
      field: z.string().optional(),
    }),
  })
  .describe('An error');

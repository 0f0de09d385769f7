import { z } from 'zod';
import { checkReadiness } from '../../operations/readiness.js';
import { createToken, listTokens, revokeToken, ROLES } from '../../operations/tokens.js';
import { callerOf, requireRole } from '../auth.js';
import { typed, type RouteContext } from './route-context.js';

/** What the system routes need beyond the operations. */
export interface SystemRouteOptions {
  /** The config file as written, secrets masked (`GET /api/v1/config`). */
  readonly configView: () => unknown;
  /** Validates and applies the config file again (`POST /api/v1/config/reload`); audited by it. */
  readonly reloadConfig?: (actor: string) => Promise<unknown>;
  /** The Prometheus exposition, and whether it needs no token. */
  readonly metrics?: { scrape(): Promise<string>; readonly contentType: string; readonly isPublic: boolean };
}

const DAY_MS = 86_400_000;

/** Health, readiness, metrics, config and tokens. */
export function registerSystemRoutes({ app, operations }: RouteContext, options: SystemRouteOptions): void {
  const api = typed(app);
  const viewer = requireRole(operations, 'viewer');
  const admin = requireRole(operations, 'admin');
  api.get('/healthz', {
    schema: { tags: ['system'], summary: 'Liveness: the process answers (no token needed)' },
    handler: () => ({ status: 'ok' }),
  });
  api.get('/readyz', {
    schema: { tags: ['system'], summary: 'Readiness: the state store and every connection answer (no token needed)' },
    handler: async (_request, reply) => {
      const readiness = await checkReadiness(operations);
      return reply.code(readiness.ok ? 200 : 503).send(readiness);
    },
  });
  const { metrics } = options;
  if (metrics !== undefined)
    api.get('/metrics', {
      schema: { tags: ['system'], summary: 'Prometheus metrics (a token unless server.metrics is public)' },
      ...(metrics.isPublic ? {} : { preHandler: viewer }),
      handler: async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
    });
  api.get('/api/v1/config', {
    schema: { tags: ['config'], summary: 'The config file as written, every secret masked' },
    preHandler: viewer,
    handler: () => ({ config: options.configView() }),
  });
  const { reloadConfig } = options;
  if (reloadConfig !== undefined)
    api.post('/api/v1/config/reload', {
      schema: { tags: ['config'], summary: 'Validate the config file again and apply it between cycles' },
      preHandler: admin,
      handler: (request) => reloadConfig(callerOf(request).name),
    });
  api.get('/api/v1/tokens', {
    schema: { tags: ['tokens'], summary: 'API tokens (never the token itself)' },
    preHandler: admin,
    handler: async () => ({ tokens: await listTokens(operations) }),
  });
  api.post('/api/v1/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Create a token; the response is the only time it is shown',
      body: z.strictObject({
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." and "-", starting with a letter'),
        role: z.enum(ROLES),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    },
    preHandler: admin,
    handler: async (request, reply) => {
      const { name, role, expiresInDays } = request.body;
      const created = await createToken(operations, {
        actor: callerOf(request).name,
        name,
        role,
        ...(expiresInDays === undefined ? {} : { expiresInMs: expiresInDays * DAY_MS }),
      });
      return reply.code(201).send(created);
    },
  });
  api.delete('/api/v1/tokens/:name', {
    schema: { tags: ['tokens'], summary: 'Revoke a token', params: z.object({ name: z.string().min(1) }) },
    preHandler: admin,
    handler: (request) => revokeToken(operations, { actor: callerOf(request).name, name: request.params.name }),
  });
}

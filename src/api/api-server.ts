import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { WebhookConfig } from '../config/webhooks-schema.js';
import type { Logger } from '../core/logger.js';
import type { OperationsContext } from '../operations/operations-context.js';
import type { Runtime } from '../runtime/runtime.js';
import { registerErrorHandling } from './api-error.js';
import { registerDashboard } from './dashboard-static.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerClusterRoutes } from './routes/cluster-routes.js';
import { registerDashboardRoutes } from './routes/dashboard-routes.js';
import { registerFlowRoutes } from './routes/flow-routes.js';
import { registerReconcileRoutes } from './routes/reconcile-routes.js';
import { registerRecordRoutes } from './routes/record-routes.js';
import { registerSystemRoutes, type SystemRouteOptions } from './routes/system-routes.js';
import { registerWebhookRoutes } from './webhook-server.js';

/** Largest request body accepted, bytes, unless `server.bodyLimit` says otherwise. */
export const DEFAULT_BODY_LIMIT = 1_048_576;

/** Everything `syncline serve` hands its HTTP server. */
export interface ApiServerOptions extends SystemRouteOptions {
  readonly operations: OperationsContext & { readonly runtime: Runtime };
  readonly logger: Logger;
  /** Syncline's version, for the OpenAPI document. */
  readonly version: string;
  /** Every secret value, so no message can carry one (read at each error: a reload may change them). */
  readonly secrets: () => readonly string[];
  /** Bytes; default 1 MiB. */
  readonly bodyLimit?: number;
  /** PEM files: HTTPS when given. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Bearer token `POST /hooks/<flow>` (and inboxes without a signature) require; none when undefined. */
  readonly webhookToken?: string;
  /** The `webhooks:` inboxes in use (read per request: a reload reaches them); stored in `operations.state`. */
  readonly webhooks?: () => Readonly<Record<string, WebhookConfig>>;
  /** The built dashboard (`dist/web`), served at `/`; without it `/` says how to build it. */
  readonly dashboardRoot?: string;
}

/**
 * The Fastify app of `syncline serve`: `/healthz`, `/readyz`, `/metrics`, the admin API under
 * `/api/v1` (requests validated by zod schemas, from which `GET /api/v1/openapi.json` is
 * generated), the webhooks: `POST /hooks/<inbox>` (durable inboxes, docs/webhooks.md) and
 * `POST /hooks/<flow>` (wake-up), and the dashboard at `/`. Every error has one JSON shape.
 */
export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(options.tls === undefined
      ? {}
      : { https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) } }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app, options.logger, options.secrets);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Syncline admin API',
        version: options.version,
        description:
          'Operate Syncline: flows, dead letters, conflicts, reconcile, audit, config. docs/api.md',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  const context = { app, operations: options.operations };
  registerSystemRoutes(context, options);
  registerFlowRoutes(context);
  registerRecordRoutes(context);
  registerReconcileRoutes(context);
  registerAuditRoutes(context);
  registerDashboardRoutes(context);
  registerClusterRoutes(context);
  await registerDashboard(app, options.dashboardRoot);
  await registerWebhookRoutes(app, {
    runtime: options.operations.runtime,
    logger: options.logger,
    token: options.webhookToken,
    inbox: options.operations.state,
    scheme: options.tls === undefined ? 'http' : 'https',
    ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.ready();
  return app;
}

import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../api/api-server.js';
import { createMetrics, type SynclineMetrics } from '../../api/metrics/syncline-metrics.js';
import { currentActor } from '../../core/audit.js';
import { createToken } from '../../operations/tokens.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { Engine } from '../engine.js';
import { dashboardRoot } from '../dashboard-root.js';
import { liveOperations } from '../live-operations.js';
import { synclineVersion } from '../version.js';

/** The demo's admin API, running beside its flows. */
export interface DemoApi {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** An admin token of the demo's state, to try the API with. */
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Serves the admin API and `/metrics` for the demo's flows on 127.0.0.1 (`port`, or any free port
 * when it is taken), with an admin token made for it: the demo shows what `syncline serve` offers.
 */
export async function startDemoApi(engine: Engine, runtime: Runtime, port: number): Promise<DemoApi> {
  const operations = liveOperations(engine, runtime);
  const created = await createToken(operations, { actor: currentActor(), name: 'demo', role: 'admin' });
  const version = synclineVersion();
  const metrics: SynclineMetrics = createMetrics({ runtime, operations, version });
  const app: FastifyInstance = await buildApiServer({
    operations,
    logger: engine.operations.logger,
    version,
    secrets: () => engine.secrets,
    configView: () => ({ note: 'see syncline.yaml in the demo directory' }),
    metrics: { scrape: () => metrics.scrape(), contentType: metrics.contentType, isPublic: true },
    dashboardRoot: dashboardRoot(),
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await app.listen({ host: '127.0.0.1', port: 0 });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    token: created.token,
    close: async () => {
      await app.close();
      metrics.close();
    },
  };
}

/** What the demo prints about its API. */
export function formatDemoApi(api: DemoApi): string {
  return [
    `Dashboard: ${api.url}/   (sign in with the token below)`,
    `Admin API: ${api.url}/api/v1/flows   metrics: ${api.url}/metrics   OpenAPI: ${api.url}/api/v1/openapi.json`,
    `  curl -H "Authorization: Bearer ${api.token}" ${api.url}/api/v1/flows`,
    '',
  ].join('\n');
}

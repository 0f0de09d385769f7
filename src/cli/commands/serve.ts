import { readFileSync } from 'node:fs';
import { buildApiServer } from '../../api/api-server.js';
import { createMetrics } from '../../api/metrics/syncline-metrics.js';
import { maskedConfig } from '../../config/config-view.js';
import { reloadConfig } from '../../operations/reload-config.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { startAlerts } from '../alerts-runner.js';
import { dashboardRoot } from '../dashboard-root.js';
import { logReload, watchConfig } from '../config-reload.js';
import { ExitCodes } from '../exit-codes.js';
import { liveOperations } from '../live-operations.js';
import { createProgressReporter } from '../progress-reporter.js';
import { bullmqSettings, createRuntime } from '../runtime-factory.js';
import { stopOnSignals } from '../stop-signals.js';
import { synclineVersion } from '../version.js';
import { pendingEstimator, preflight } from './run.js';

/** Options of `syncline serve`. */
export interface ServeOptions extends GlobalOptions {
  /** Overrides `server.host`; default 127.0.0.1. */
  readonly host?: string;
  /** Overrides `server.port`; default 8080. */
  readonly port?: number;
  /** Flows running at the same time. */
  readonly concurrency?: number;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;

/**
 * `syncline serve [--host H] [--port P]`: runs every enabled flow on its cadence (as `run` does) and
 * serves the admin API, `/metrics`, `/healthz`, `/readyz` and the webhook trigger until Ctrl-C.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    if (!(await preflight(engine, [], logger))) return ExitCodes.badConfig;
    const runtime = await createRuntime(
      engine,
      'serve',
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    );
    runtime.subscribe(createProgressReporter(logger, { isTty: false, estimate: pendingEstimator(engine) }));
    const operations = liveOperations(engine, runtime);
    const version = synclineVersion();
    const metrics = createMetrics({ runtime, operations, version });
    const server = engine.config.server ?? {};
    const webhookToken = process.env.SYNCLINE_WEBHOOK_TOKEN;
    const app = await buildApiServer({
      operations,
      logger,
      version,
      secrets: () => engine.secrets,
      configView: () => maskedConfig(readFileSync(options.config, 'utf8'), engine.secrets),
      reloadConfig: async (actor) => {
        const result = await reloadConfig(operations, { actor });
        logReload(logger, result);
        return result;
      },
      metrics: {
        scrape: () => metrics.scrape(),
        contentType: metrics.contentType,
        isPublic: server.metrics === 'public',
      },
      ...(server.tls === undefined ? {} : { tls: server.tls }),
      ...(server.bodyLimit === undefined ? {} : { bodyLimit: server.bodyLimit }),
      ...(webhookToken === undefined || webhookToken === '' ? {} : { webhookToken }),
      webhooks: () => engine.config.webhooks ?? {},
      dashboardRoot: dashboardRoot(),
    });
    const host = options.host ?? server.host ?? DEFAULT_HOST;
    const port = options.port ?? server.port ?? DEFAULT_PORT;
    const removeSignalHandlers = stopOnSignals(runtime, logger);
    // On BullMQ the leading scheduler sends the alerts; serve only shows what it relays.
    const alerts =
      bullmqSettings(engine.config) === undefined
        ? startAlerts(engine, runtime, logger, (channel, outcome) => {
            metrics.recordAlert(channel, outcome);
          })
        : { close: () => Promise.resolve() };
    const unwatch = watchConfig(options.config, () => operations, logger);
    try {
      await app.listen({ host, port });
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      const scheme = server.tls === undefined ? 'http' : 'https';
      logger.info(
        `serving on ${scheme}://${host}:${bound}: dashboard /, API /api/v1 (OpenAPI /api/v1/openapi.json), /metrics, /healthz, /readyz; Ctrl-C stops cleanly`,
      );
      await runtime.start();
      return ExitCodes.ok;
    } finally {
      removeSignalHandlers();
      await unwatch();
      await alerts.close();
      await app.close();
      metrics.close();
    }
  } finally {
    await engine.close();
  }
}

import { ConfigError } from '../../config/config-error.js';
import { parseListenAddress, startWebhookServer, type WebhookServer } from '../../api/webhook-server.js';
import type { Runtime } from '../../runtime/runtime.js';
import { startAlerts } from '../alerts-runner.js';
import { createRuntime } from '../runtime-factory.js';
import { stopOnSignals } from '../stop-signals.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import type { Engine } from '../engine.js';
import { ExitCodes } from '../exit-codes.js';
import { createProgressReporter, type PendingEstimator } from '../progress-reporter.js';
import { checkSchemaReport, describeFinding, formatFindings } from '../schema-report.js';
import { watchConfig } from '../config-reload.js';
import type { Logger } from '../../core/logger.js';

export interface RunOptions extends GlobalOptions {
  readonly once?: boolean;
  /** `[host:]port` of the webhook listener that wakes realtime flows (`POST /hooks/<flow>`). */
  readonly webhook?: string;
  readonly flow?: readonly string[];
  /** Flows running at the same time. */
  readonly concurrency?: number;
}

const ESTIMATE_LIMIT = 100_000_000;

export function pendingEstimator(engine: Engine): PendingEstimator {
  return async (name) => {
    const flow = engine.flow(name);
    const checkpoint = await engine.state.getCheckpoint(name);
    return engine
      .connector(flow.sourceConnection)
      .countPending(flow.source, checkpoint, ESTIMATE_LIMIT, AbortSignal.timeout(30_000));
  };
}

/** Checks the selected flows against the live schemas; false (and a report) when one cannot run. */
export async function preflight(engine: Engine, names: readonly string[], logger: Logger): Promise<boolean> {
  const flows =
    names.length === 0 ? engine.flows.filter((flow) => flow.enabled) : names.map((name) => engine.flow(name));
  const { findings } = await checkSchemaReport(engine, flows, AbortSignal.timeout(60_000));
  for (const finding of findings.filter((entry) => entry.severity === 'warning'))
    logger.warn(describeFinding(finding));
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(
      `The live schemas do not match the config; nothing ran:\n${formatFindings(errors)}\n`,
    );
    return false;
  }
  return true;
}

/** Starts the webhook listener when `--webhook` is given; a token comes from SYNCLINE_WEBHOOK_TOKEN. */
async function startWebhook(
  address: string | undefined,
  engine: Engine,
  runtime: Runtime,
  logger: Logger,
): Promise<WebhookServer | undefined> {
  const inboxes = Object.keys(engine.config.webhooks ?? {});
  if (address === undefined) {
    if (inboxes.length > 0)
      logger.warn(
        `webhooks: ${inboxes.join(', ')} configured, but nothing listens for them: add --webhook [host:]port or use syncline serve`,
      );
    return undefined;
  }
  const listen = parseListenAddress(address);
  if (listen === undefined)
    throw new ConfigError([{ path: '--webhook', message: `"${address}" is not [host:]port` }]);
  const token = process.env.SYNCLINE_WEBHOOK_TOKEN;
  const listener = await startWebhookServer(listen, {
    runtime,
    logger,
    token: token === '' ? undefined : token,
    inbox: engine.state,
    webhooks: () => engine.config.webhooks ?? {},
  });
  logger.info(
    `webhook listening on http://${listener.address}/hooks/<flow>${inboxes.length === 0 ? '' : ` and /hooks/<inbox> (${inboxes.join(', ')})`}${token === undefined || token === '' ? ' (no token: set SYNCLINE_WEBHOOK_TOKEN to require one)' : ''}`,
  );
  return listener;
}

/** `syncline run [--once] [--flow NAME] [--webhook [host:]port]`. */
export async function runCommand(options: RunOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  const names = options.flow ?? [];
  try {
    if (!(await preflight(engine, names, logger))) return ExitCodes.badConfig;
    const runtime = await createRuntime(
      engine,
      'run',
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    );
    runtime.subscribe(
      createProgressReporter(logger, { isTty: process.stderr.isTTY, estimate: pendingEstimator(engine) }),
    );
    const removeSignalHandlers = stopOnSignals(runtime, logger);
    try {
      if (options.once === true) {
        const results = await runtime.runOnce(names).finally(() => runtime.stop());
        return results.every((result) => result.status === 'succeeded') ? ExitCodes.ok : ExitCodes.flowFailed;
      }
      logger.info(
        `running ${names.length === 0 ? 'all enabled flows' : names.join(', ')}; Ctrl-C stops cleanly; a change of ${options.config} (or SIGHUP) reloads it`,
      );
      const webhook = await startWebhook(options.webhook, engine, runtime, logger);
      const unwatch = watchConfig(options.config, () => ({ ...engine.operations, runtime }), logger);
      const alerts = startAlerts(engine, runtime, logger);
      try {
        await runtime.start(names);
      } finally {
        await alerts.close();
        await unwatch();
        await webhook?.close();
      }
      return ExitCodes.ok;
    } finally {
      removeSignalHandlers();
    }
  } finally {
    await engine.close();
  }
}

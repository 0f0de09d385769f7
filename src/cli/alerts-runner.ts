import { createAlerts, type Alerts } from '../alerts/alerts.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Engine } from './engine.js';
import { liveOperations } from './live-operations.js';

/** Delivery counts for the metrics. */
type OnDelivery = (channel: string, outcome: 'sent' | 'failed' | 'suppressed') => void;

function start(
  engine: Engine,
  runtime: Runtime,
  logger: Logger,
  onDelivery?: OnDelivery,
): Alerts | undefined {
  const config = engine.config.alerts;
  if (config === undefined) return undefined;
  const alerts = createAlerts({
    config,
    operations: liveOperations(engine, runtime),
    runtime,
    logger,
    secrets: engine.secrets,
    ...(onDelivery === undefined ? {} : { onDelivery }),
  });
  alerts.start();
  logger.info(
    `alerts: ${config.rules.length} rule(s) to ${Object.keys(config.channels).length} channel(s), evaluated every ${Math.round((config.evaluateEvery ?? 15_000) / 1000)}s`,
  );
  return alerts;
}

/**
 * Runs the config's alert rules beside a running runtime (`serve`, `run`), and again with the new
 * rules after a config reload (firing state is kept in the state store, so nothing fires twice).
 * Returns the function that stops them.
 */
export function startAlerts(
  engine: Engine,
  runtime: Runtime,
  logger: Logger,
  onDelivery?: OnDelivery,
): { close(): Promise<void> } {
  let current = start(engine, runtime, logger, onDelivery);
  let restarting: Promise<void> = Promise.resolve();
  const unsubscribe = runtime.subscribe((event) => {
    if (event.type !== 'config.reloaded') return;
    restarting = restarting.then(async () => {
      await current?.close();
      current = start(engine, runtime, logger, onDelivery);
    });
  });
  return {
    close: async () => {
      unsubscribe();
      await restarting;
      await current?.close();
    },
  };
}

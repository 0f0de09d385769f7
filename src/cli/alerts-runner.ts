import { createAlerts, type Alerts } from '../alerts/alerts.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Engine } from './engine.js';

/**
 * Starts the config's alert rules beside a running runtime (`serve`, `run`); undefined when the
 * config has no `alerts:` section. `onDelivery` counts deliveries (the metrics).
 */
export function startAlerts(
  engine: Engine,
  runtime: Runtime,
  logger: Logger,
  onDelivery?: (channel: string, outcome: 'sent' | 'failed' | 'suppressed') => void,
): Alerts | undefined {
  const config = engine.config.alerts;
  if (config === undefined) return undefined;
  const alerts = createAlerts({
    config,
    operations: { ...engine.operations, runtime },
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

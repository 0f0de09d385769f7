import type { Cadence } from '../config/cadence-schema.js';
import { formatDuration } from '../config/duration.js';

/**
 * A compiled cadence as one line of text for `syncline status` and the demo:
 * `every 5m, adaptive`, `cron "0 2 * * *" (Asia/Shanghai)`, `realtime (poll 1m)`, with its window,
 * peaks, freshness and priority when it has them.
 */
export function describeCadence(cadence: Cadence): string {
  const parts = [trigger(cadence)];
  if (cadence.window !== undefined) parts.push(`window ${cadence.window.text}`);
  const peaks = cadence.peaks ?? [];
  if (peaks.length > 0) parts.push(`peaks ${peaks.map((peak) => peak.name).join(', ')}`);
  if (cadence.freshnessMs !== undefined) parts.push(`freshness ${formatDuration(cadence.freshnessMs)}`);
  const adaptive = adaptiveText(cadence);
  if (adaptive !== undefined) parts.push(adaptive);
  if (cadence.priority !== undefined && cadence.priority !== 'normal')
    parts.push(`priority ${cadence.priority}`);
  return parts.join(', ');
}

function trigger(cadence: Cadence): string {
  const zone = cadence.timezone === undefined ? '' : ` (${cadence.timezone})`;
  if (cadence.realtime === true)
    return cadence.pollIntervalMs === undefined
      ? 'realtime'
      : `realtime (poll ${formatDuration(cadence.pollIntervalMs)})`;
  if (cadence.cron !== undefined) return `cron "${cadence.cron}"${zone}`;
  return `every ${formatDuration(cadence.everyMs ?? 0)}${cadence.window === undefined ? '' : zone}`;
}

/** Only `every` flows adapt (see `adaptiveSettingsFor`): cron times are a contract, realtime is woken. */
function adaptiveText(cadence: Cadence): string | undefined {
  if (cadence.everyMs === undefined || cadence.adaptive === false) return undefined;
  if (cadence.adaptive === undefined) return 'adaptive';
  return `adaptive ${formatDuration(cadence.adaptive.minMs)}-${formatDuration(cadence.adaptive.maxMs)}`;
}

import { formatDuration } from '../config/duration.js';
import type { Flow } from '../core/flow.js';

/**
 * A flow's cadence as `status` shows it in its table, in the config's own words:
 * `{every:1h}`, `{cron:0 2 * * *,timezone:Asia/Shanghai}`, `{realtime:true,pollInterval:1m}`.
 */
export function cadenceColumn(cadence: Flow['cadence']): string {
  const parts: string[] = [];
  if (cadence.everyMs !== undefined) parts.push(`every:${formatDuration(cadence.everyMs)}`);
  if (cadence.cron !== undefined) parts.push(`cron:${cadence.cron}`);
  if (cadence.timezone !== undefined) parts.push(`timezone:${cadence.timezone}`);
  if (cadence.realtime === true) parts.push('realtime:true');
  if (cadence.pollIntervalMs !== undefined)
    parts.push(`pollInterval:${formatDuration(cadence.pollIntervalMs)}`);
  if (cadence.window !== undefined) parts.push(`window:${cadence.window.text}`);
  if (cadence.freshnessMs !== undefined) parts.push(`freshness:${formatDuration(cadence.freshnessMs)}`);
  if (cadence.adaptive === false) parts.push('adaptive:false');
  else if (cadence.adaptive !== undefined)
    parts.push(
      `adaptive:{min:${formatDuration(cadence.adaptive.minMs)},max:${formatDuration(cadence.adaptive.maxMs)}}`,
    );
  if (cadence.priority !== undefined) parts.push(`priority:${cadence.priority}`);
  if ((cadence.peaks?.length ?? 0) > 0) parts.push(`peaks:${String(cadence.peaks?.length)}`);
  return `{${parts.join(',')}}`;
}

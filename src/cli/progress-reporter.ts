import type { CycleProgress } from '../core/cycle-ports.js';
import type { Logger } from '../core/logger.js';
import type { CycleFinishedEvent, RuntimeEvent, RuntimeSubscriber } from '../runtime/runtime.js';
import { formatDuration } from '../config/duration.js';

/** Estimates how many changes a flow has waiting, for the ETA; undefined when unknown. */
export type PendingEstimator = (flow: string) => Promise<number | undefined>;

const LOG_EVERY_MS = 5_000;

function rate(progress: CycleProgress): number {
  return progress.elapsedMs > 0 ? (progress.counts.read * 1000) / progress.elapsedMs : 0;
}

/**
 * Reports cycles as they run. On a TTY: one live line per running flow with rows, rate and ETA.
 * Off a TTY: a plain log line every few seconds and one per finished cycle.
 */
export function createProgressReporter(
  logger: Logger,
  options: { isTty: boolean; estimate?: PendingEstimator },
): RuntimeSubscriber {
  const totals = new Map<string, number | undefined>();
  const lastLogged = new Map<string, number>();
  const stream = process.stderr;
  let hasLiveLine = false;

  const clearLine = (): void => {
    if (hasLiveLine) stream.write('\r\x1b[2K');
    hasLiveLine = false;
  };

  const onCycleStart = (flow: string, trigger: string, reason: string): void => {
    clearLine();
    logger.info(`cycle started (${trigger}: ${reason})`, { flow });
    totals.set(flow, undefined);
    // An event-woken cycle is small and frequent: a count per cycle would cost more than it tells.
    if (options.estimate !== undefined && trigger !== 'event') {
      options.estimate(flow).then(
        (total) => totals.set(flow, total),
        () => undefined,
      );
    }
  };
  const onCycleProgress = (progress: CycleProgress): void => {
    const perSecond = rate(progress);
    // The estimate counts changes past the checkpoint; a cycle also reads the lookback window again
    // (unchanged rows, records already dead-lettered), so once it has read more the estimate is moot.
    const estimated = totals.get(progress.flow);
    const total = estimated !== undefined && estimated >= progress.counts.read ? estimated : undefined;
    const eta =
      total !== undefined && perSecond > 0 && total > progress.counts.read
        ? formatDuration(((total - progress.counts.read) / perSecond) * 1000)
        : undefined;
    const summary = `${progress.flow}: ${progress.counts.read.toLocaleString('en')}${total === undefined ? '' : ` / ~${total.toLocaleString('en')}`} rows, ${Math.round(perSecond).toLocaleString('en')} rows/s${eta === undefined ? '' : `, ETA ${eta}`}`;
    if (options.isTty) {
      clearLine();
      stream.write(summary);
      hasLiveLine = true;
      return;
    }
    const last = lastLogged.get(progress.flow) ?? 0;
    if (Date.now() - last >= LOG_EVERY_MS) {
      lastLogged.set(progress.flow, Date.now());
      logger.info(summary, { flow: progress.flow });
    }
  };
  const onCycleEnd = (result: CycleFinishedEvent): void => {
    clearLine();
    const { counts } = result;
    const line = `cycle ${result.status} in ${formatDuration(result.durationMs)}: read ${counts.read}, written ${counts.written}, unchanged ${counts.unchanged}, quarantined ${counts.quarantined}, failed ${counts.failed}`;
    if (result.status === 'failed')
      logger.error(`${line}: ${result.error?.message ?? ''}`, {
        flow: result.flow,
        code: result.error?.code,
      });
    else if (result.status !== 'busy') logger.info(line, { flow: result.flow });
    else logger.warn('another process is running this flow; skipped', { flow: result.flow });
  };
  return (event: RuntimeEvent) => {
    if (event.type === 'cycle.started') onCycleStart(event.flow, event.trigger, event.reason);
    else if (event.type === 'cycle.progress') onCycleProgress(event);
    else if (event.type === 'cycle.finished') onCycleEnd(event);
  };
}

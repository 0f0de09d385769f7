import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/logger.js';
import type { RunCounts } from '../core/state-store.js';
import { createProgressReporter } from './progress-reporter.js';

function capturing(lines: string[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    error: (message) => lines.push(message),
    child: () => logger,
  };
  return logger;
}

const counts = (read: number): RunCounts => ({
  read,
  written: 0,
  unchanged: read,
  quarantined: 0,
  failed: 0,
  deleted: 0,
});

/** Starts a cycle of `flow` whose changes are estimated at `pending`, then reports `read` rows read. */
async function progressLine(flow: string, pending: number, read: number): Promise<string | undefined> {
  const lines: string[] = [];
  const report = createProgressReporter(capturing(lines), {
    isTty: false,
    estimate: () => Promise.resolve(pending),
  });
  report({ type: 'cycle.started', flow, trigger: 'schedule', reason: 'every 1s', at: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  report({ type: 'cycle.progress', flow, counts: counts(read), elapsedMs: 1_000, at: 1_000 });
  return lines.find((line) => line.startsWith(`${flow}:`));
}

describe('createProgressReporter', () => {
  it('shows the estimate of pending changes while the cycle has read fewer rows', async () => {
    expect(await progressLine('orders', 4, 2)).toBe('orders: 2 / ~4 rows, 2 rows/s, ETA 1s');
  });

  it('drops the estimate once the cycle read more rows than it (the lookback reads rows again)', async () => {
    expect(await progressLine('orders', 4, 8)).toBe('orders: 8 rows, 8 rows/s');
  });
});

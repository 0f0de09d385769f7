import { describe, expect, it } from 'vitest';
import type { ForecasterNote } from '../../operations/flow-status.js';
import { formatStatuses, type FlowStatus } from './status.js';

const NOW = Date.parse('2026-12-03T08:00:00.000Z');

function status(flow: string, overrides: Partial<FlowStatus> = {}): FlowStatus {
  return {
    flow,
    enabled: true,
    cadence: { everyMs: 3_600_000 },
    effectiveCadence: undefined,
    direction: 'one-way',
    activity: undefined,
    paused: undefined,
    cadenceOverride: undefined,
    lastRun: undefined,
    lastSuccessAt: undefined,
    stalenessSeconds: undefined,
    nextRunAt: '2026-12-03T08:36:00.000Z',
    nextRunReason: 'every 1h after the previous cycle',
    openDeadLetters: 0,
    openConflicts: 0,
    checkpoint: undefined,
    cadenceDecision: undefined,
    forecaster: undefined,
    backfill: undefined,
    lastReconcile: undefined,
    snapshot: undefined,
    ...overrides,
  };
}

const learning = (hoursLearned: number, canApply: boolean): ForecasterNote => ({
  isWarm: false,
  hoursLearned,
  hoursNeeded: 152,
  reason: `learning: ${String(hoursLearned)} of 168 hours of the week seen twice, needs 152 (about 2 weeks of history) before it acts`,
  canApply,
});

describe('formatStatuses', () => {
  it('keeps the header and the configured cadence column, and adds when each flow runs next and why', () => {
    const text = formatStatuses([status('customers')], NOW);
    expect(text).toMatch(
      /^flow\s+cadence\s+last cycle\s+read\/written\s+since success\s+dead letters\s+next$/m,
    );
    expect(text).toMatch(
      /^customers\s+\{every:1h\}\s+never\s+-\s+0\s+in 36m \(2026-12-03T08:36:00Z\): every 1h after the previous cycle$/m,
    );
  });

  it('shows a partitioned backfill under way: lanes done, and how far the others got', () => {
    const text = formatStatuses(
      [
        status('customers', {
          backfill: {
            handover: { phase: 'incremental', cursor: '2026-12-03T07:00:00Z', key: null },
            lanes: [
              { toKey: 625, after: 625, done: true },
              { fromKey: 626, toKey: 1250, after: 1000, done: false },
              { fromKey: 1251, after: null, done: false },
            ],
          },
        }),
      ],
      NOW,
    );
    expect(text).toContain(
      '  customers: backfill in 3 lanes, 1 done; lane 2 after key 1000, lane 3 not started',
    );
    expect(formatStatuses([status('customers')], NOW)).not.toContain('backfill');
  });

  it('says a flow is overdue, paused or disabled in the next column', () => {
    const text = formatStatuses(
      [
        status('late', { nextRunAt: '2026-12-03T07:00:00.000Z' }),
        status('held', { nextRunAt: undefined, nextRunReason: 'paused by ops' }),
        status('off', { enabled: false }),
      ],
      NOW,
    );
    expect(text).toMatch(/^late .* due 1h ago \(2026-12-03T07:00:00Z\): every 1h/m);
    expect(text).toMatch(/^held .* paused by ops$/m);
    expect(text).toMatch(/^off\s+disabled\s+never\s+-\s+0\s+-$/m);
  });

  it('shows the cadence the adaptive controller runs a flow at, only where it differs from the configured one', () => {
    const effective = {
      intervalMs: 450_000,
      batch: 500,
      configuredIntervalMs: 3_600_000,
      configuredBatch: 500,
      reason: 'stock: every 15m → 7m30s: staleness 20m > freshness 15m, erp healthy (p95 100 ms)',
      since: '2026-12-03T07:10:00.000Z',
      decidedAt: '2026-12-03T07:50:00.000Z',
    };
    const text = formatStatuses(
      [
        status('stock', { effectiveCadence: effective }),
        status('steady', { effectiveCadence: { ...effective, intervalMs: 3_600_000 } }),
      ],
      NOW,
    );
    expect(text).toContain(
      '  stock: now every 7m30s (sped up from every 1h since 2026-12-03T07:10:00Z: staleness 20m > freshness 15m, erp healthy (p95 100 ms))',
    );
    expect(text).not.toContain('steady: now');
  });

  it('notes the forecasters once, only where they learned something and a forecast can apply', () => {
    const warm: ForecasterNote = { ...learning(160, true), isWarm: true, reason: 'warm: 160 of 168 hours' };
    const text = formatStatuses(
      [
        status('orders', { forecaster: warm }),
        status('stock', { forecaster: learning(40, true) }),
        status('invoices', { forecaster: learning(0, true) }),
        status('customers', { forecaster: learning(90, false) }),
      ],
      NOW,
    );
    const lines = text.split('\n').filter((line) => line.includes('forecaster'));
    expect(lines).toEqual([
      '  forecaster: acts on predicted peaks for orders; stock learning: 40 of 168 hours of the week seen twice, needs 152 (about 2 weeks of history) before it acts',
    ]);
  });

  it('says nothing about forecasters that have learned nothing yet', () => {
    const text = formatStatuses([status('a', { forecaster: learning(0, true) }), status('b')], NOW);
    expect(text).not.toContain('forecaster');
  });
});

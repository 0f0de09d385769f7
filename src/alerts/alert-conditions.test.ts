import { describe, expect, it } from 'vitest';
import { alertsSchema, type AlertCondition } from '../config/alerts-schema.js';
import { compileFlow, type Flow } from '../core/flow.js';
import type { RunRecord, RunStatus, RunTrigger, StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import type { FlowStatus } from '../operations/flow-status.js';
import { measureCondition } from './alert-conditions.js';
import { alertSecretValues } from './alert-secrets.js';

const NOW = Date.parse('2026-12-03T08:00:00Z');
const MINUTE = 60_000;

function flowWith(cadence: Flow['cadence']): Flow {
  const flow = compileFlow('orders', {
    source: {
      connection: 'crm',
      table: 'orders',
      key: 'id',
      cursor: 'version',
      lookback: { ms: 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'sales_orders', key: 'crm_id' },
    batch: 100,
    fields: { name: 'name' },
    retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  return { ...flow, cadence };
}

/** Runs newest first: [trigger, status, minutes ago]. */
function stateWith(
  runs: [RunTrigger, RunStatus, number][],
  meta: Record<string, JsonValue> = {},
): StateStore {
  const records: RunRecord[] = runs.map(([trigger, status, ago], index) => ({
    id: runs.length - index,
    flow: 'orders',
    trigger,
    status,
    startedAt: new Date(NOW - ago * MINUTE).toISOString(),
    finishedAt: undefined,
    durationMs: undefined,
    counts: { read: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 },
    error: undefined,
  }));
  return {
    listRuns: ({ limit, beforeId }: { limit: number; beforeId?: number }) =>
      Promise.resolve(records.filter((run) => beforeId === undefined || run.id < beforeId).slice(0, limit)),
    getFlowMeta: (_flow: string, name: string) => Promise.resolve(meta[name]),
  } as unknown as StateStore;
}

function status(overrides: Partial<FlowStatus> = {}): FlowStatus {
  return {
    flow: 'orders',
    openDeadLetters: 0,
    openConflicts: 0,
    lastSuccessAt: undefined,
    paused: undefined,
    cadenceDecision: undefined,
    lastReconcile: undefined,
    snapshot: undefined,
    ...overrides,
  } as FlowStatus;
}

const condition = (when: unknown): AlertCondition =>
  alertsSchema.parse({
    channels: { c: { type: 'slack', url: 'https://hooks.example.com/c' } },
    rules: [{ name: 'r', when, notify: ['c'] }],
  }).rules[0]!.when;

describe('alert conditions', () => {
  it('freshness: against a threshold or the flow objective; flows without one never fire', async () => {
    const withObjective = flowWith({ everyMs: MINUTE, freshnessMs: 5 * MINUTE });
    const lastSuccessAt = new Date(NOW - 12 * MINUTE).toISOString();
    expect(
      await measureCondition(
        condition({ freshness: 'objective' }),
        withObjective,
        status(),
        stateWith([]),
        NOW,
      ),
    ).toBeUndefined();
    const objective = condition({ freshness: 'objective' });
    expect(
      await measureCondition(objective, withObjective, status({ lastSuccessAt }), stateWith([]), NOW),
    ).toMatchObject({
      value: 12 * MINUTE,
      threshold: 5 * MINUTE,
      isActive: true,
      isObjective: true,
    });
    expect(
      await measureCondition(
        objective,
        flowWith({ everyMs: MINUTE }),
        status({ lastSuccessAt }),
        stateWith([]),
        NOW,
      ),
    ).toBeUndefined();
    expect(
      await measureCondition(
        condition({ freshness: { over: '15m' } }),
        withObjective,
        status({ lastSuccessAt }),
        stateWith([]),
        NOW,
      ),
    ).toMatchObject({ isActive: false });
  });

  it('failedCycles: the last N+1 cycles failed in a row, replays and resyncs left out', async () => {
    const when = condition({ failedCycles: { over: 2 } });
    const flow = flowWith({ everyMs: MINUTE });
    const failing = stateWith([
      ['schedule', 'failed', 1],
      ['replay', 'succeeded', 2],
      ['schedule', 'failed', 3],
      ['schedule', 'running', 3],
      ['schedule', 'failed', 4],
      ['schedule', 'succeeded', 5],
    ]);
    expect(await measureCondition(when, flow, status(), failing, NOW)).toMatchObject({
      value: 3,
      isActive: true,
    });
    const recovered = stateWith([
      ['schedule', 'succeeded', 1],
      ['schedule', 'failed', 2],
      ['schedule', 'failed', 3],
      ['schedule', 'failed', 4],
    ]);
    expect(await measureCondition(when, flow, status(), recovered, NOW)).toMatchObject({
      value: 0,
      isActive: false,
    });
    expect(await measureCondition(when, flow, status(), stateWith([]), NOW)).toBeUndefined();
  });

  it('errorRate: the failed share of the cycles of the last 15 minutes', async () => {
    const when = condition({ errorRate: { over: 0.3 } });
    const flow = flowWith({ everyMs: MINUTE });
    const runs = stateWith([
      ['schedule', 'failed', 1],
      ['schedule', 'succeeded', 5],
      ['schedule', 'failed', 10],
      ['schedule', 'succeeded', 14],
      ['schedule', 'failed', 20],
    ]);
    expect(await measureCondition(when, flow, status(), runs, NOW)).toMatchObject({
      value: 0.5,
      isActive: true,
    });
    expect(
      await measureCondition(when, flow, status(), stateWith([['schedule', 'failed', 16]]), NOW),
    ).toBeUndefined();
  });

  it('paused and reconcile drift: how long, by whom, and the last drift', async () => {
    const flow = flowWith({ everyMs: MINUTE });
    const paused = status({ paused: { by: 'alice', at: new Date(NOW - 3 * 60 * MINUTE).toISOString() } });
    expect(
      await measureCondition(condition({ paused: { longerThan: '2h' } }), flow, paused, stateWith([]), NOW),
    ).toMatchObject({
      value: 3 * 60 * MINUTE,
      isActive: true,
      by: 'alice',
    });
    expect(
      await measureCondition(condition({ paused: { longerThan: '2h' } }), flow, status(), stateWith([]), NOW),
    ).toMatchObject({
      isActive: false,
    });
    const drift = status({ lastReconcile: { drift: 7 } as FlowStatus['lastReconcile'] });
    expect(
      await measureCondition(condition({ reconcileDrift: { over: 5 } }), flow, drift, stateWith([]), NOW),
    ).toMatchObject({
      value: 7,
      isActive: true,
    });
  });

  it('backoff: held slower than configured since the start of the unbroken run of slow decisions', async () => {
    const flow = flowWith({ everyMs: 10 * MINUTE });
    const at = (ago: number): string => new Date(NOW - ago * MINUTE).toISOString();
    const log = [
      { at: at(200), intervalMs: 10 * MINUTE },
      { at: at(90), intervalMs: 20 * MINUTE },
      { at: at(30), intervalMs: 40 * MINUTE },
    ];
    const decision = { at: at(1), intervalMs: 40 * MINUTE };
    const state = stateWith([], { 'cadence.decisions': log });
    const when = condition({ backoff: { longerThan: '1h' } });
    expect(
      await measureCondition(when, flow, status({ cadenceDecision: decision }), state, NOW),
    ).toMatchObject({
      value: 90 * MINUTE,
      isActive: true,
      intervalMs: 40 * MINUTE,
      configuredIntervalMs: 10 * MINUTE,
    });
    const normal = { at: at(1), intervalMs: 10 * MINUTE };
    expect(await measureCondition(when, flow, status({ cadenceDecision: normal }), state, NOW)).toMatchObject(
      { isActive: false },
    );
  });
});

describe('alert secrets', () => {
  it('masks whole secret URLs and the tokens inside them, not plain words of their paths', () => {
    const config = alertsSchema.parse({
      channels: {
        sl: { type: 'slack', url: 'https://hooks.slack.com/services/T0000/B0000/slacktoken123' },
        dd: {
          type: 'dingtalk',
          url: 'https://oapi.dingtalk.com/robot/send?access_token=dingtoken123',
          secret: 'SECsign',
        },
        mail: {
          type: 'email',
          smtp: 'smtp://user:p%40ss-word@smtp.example.com',
          from: 'a@b.c',
          to: ['d@e.f'],
        },
      },
      rules: [],
    });
    const secrets = alertSecretValues(config);
    for (const value of [
      'slacktoken123',
      'dingtoken123',
      'SECsign',
      'p%40ss-word',
      'p@ss-word',
      '/services/T0000/B0000/slacktoken123',
    ])
      expect(secrets).toContain(value);
    expect(secrets).not.toContain('services');
    expect(secrets).not.toContain('send');
  });
});

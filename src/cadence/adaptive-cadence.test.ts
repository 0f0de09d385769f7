import { describe, expect, it } from 'vitest';
import { compileCadence, type CadenceInput } from '../config/cadence-schema.js';
import type { CyclePorts, CycleResult } from '../core/cycle-ports.js';
import { compileFlow, type Flow } from '../core/flow.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { RunRecord, StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import { AdaptiveCadence, DECISION_META } from './adaptive-cadence.js';
import type { Decision } from './adaptive-decision.js';
import { waitForTurn } from './adaptive-wait.js';
import { FORECASTER_META, FORECASTER_STATUS_META } from './flow-forecasts.js';

const HOUR = 3_600_000;
const MONDAY = Date.parse('2026-11-02T00:00:00Z');
const COUNTS = { read: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 };

/** The parts of a state store the adaptive cadence uses, in memory. */
class MemoryState {
  readonly meta = new Map<string, JsonValue>();
  runs: RunRecord[] = [];
  getFlowMeta(flow: string, name: string): Promise<JsonValue | undefined> {
    return Promise.resolve(this.meta.get(`${flow}/${name}`));
  }
  setFlowMeta(flow: string, name: string, value: JsonValue): Promise<void> {
    this.meta.set(`${flow}/${name}`, value);
    return Promise.resolve();
  }
  /** Newest first, like the real stores. */
  listRuns(filter: { flow?: string; limit: number }): Promise<RunRecord[]> {
    return Promise.resolve([...this.runs].reverse().slice(0, filter.limit));
  }
  lastSuccessfulRun(): Promise<RunRecord | undefined> {
    return Promise.resolve(this.runs.findLast((run) => run.status === 'succeeded'));
  }
  getCheckpoint(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  asStore(): StateStore {
    return this as unknown as StateStore;
  }
}

/** 100 changes/min on Mondays 09:00–11:00 UTC, 10/min otherwise. */
const mondayMorningPeak = (at: number): number => {
  const hourOfWeek = Math.floor((at - MONDAY) / HOUR) % 168;
  return hourOfWeek >= 9 && hourOfWeek < 11 ? 100 : 10;
};

/** Succeeded runs every 15 minutes for `days` from MONDAY, each reading the changes since the last. */
function history(days: number): RunRecord[] {
  const runs: RunRecord[] = [];
  for (let at = MONDAY; at <= MONDAY + days * 24 * HOUR; at += 900_000) {
    const startedAt = new Date(at).toISOString();
    runs.push({
      id: runs.length + 1,
      flow: 'stock',
      trigger: 'schedule',
      status: 'succeeded',
      startedAt,
      finishedAt: startedAt,
      durationMs: 1_000,
      counts: { ...COUNTS, read: mondayMorningPeak(at - 450_000) * 15 },
      error: undefined,
    });
  }
  return runs;
}

function flowWith(cadence: CadenceInput, name = 'stock', target = 'erp'): Flow {
  return compileFlow(name, {
    source: { connection: 'crm', table: 'items', key: 'id', cursor: 'updated_at' },
    target: { connection: target, table: 'stock', key: 'id' },
    fields: { name: 'name' },
    cadence: compileCadence(cadence),
  });
}

function clock(start: number): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

const ports = { source: { countPending: () => Promise.resolve(0) } } as unknown as CyclePorts;

function cycleResult(read: number, durationMs = 1_000): CycleResult {
  return {
    flow: 'stock',
    status: 'succeeded',
    runId: 1,
    counts: { ...COUNTS, read },
    durationMs,
    error: undefined,
  };
}

describe('AdaptiveCadence forecaster', () => {
  it('seeds the forecaster from run history and passes its predicted peak to the controller once warm', async () => {
    const state = new MemoryState();
    state.runs = history(15);
    const nextMondayEight = MONDAY + 21 * 24 * HOUR + 8 * HOUR + 40 * 60_000;
    const time = clock(nextMondayEight);
    const cadence = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    const flow = flowWith({ every: '15m', freshness: '15m' });
    await cadence.register(flow);

    expect(state.meta.get(`stock/${FORECASTER_STATUS_META}`)).toMatchObject({ isWarm: true });
    expect(state.meta.get(`stock/${FORECASTER_META}`)).toMatchObject({ timeZone: 'UTC' });
    const decision = await cadence.afterCycle(flow, ports, cycleResult(150));
    expect(decision?.inputs.forecast).toEqual({
      rate: expect.closeTo(100) as number,
      at: MONDAY + 21 * 24 * HOUR + 9 * HOUR,
      currentRate: expect.closeTo(10) as number,
    });
  });

  it('does not act on too little history and says so in flow meta', async () => {
    const state = new MemoryState();
    state.runs = history(3);
    const time = clock(MONDAY + 7 * 24 * HOUR + 8 * HOUR + 40 * 60_000);
    const cadence = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    const flow = flowWith({ every: '15m' });
    await cadence.register(flow);
    const decision = await cadence.afterCycle(flow, ports, cycleResult(150));
    expect(decision?.inputs.forecast).toBeUndefined();
    expect(state.meta.get(`stock/${FORECASTER_STATUS_META}`)).toMatchObject({
      isWarm: false,
      reason: expect.stringMatching(/^learning: \d+ of 168 hours/) as string,
    });
  });

  it('learns from each cycle, saves at most once a minute, and restores the profile after a restart', async () => {
    const state = new MemoryState();
    const time = clock(MONDAY);
    const flow = flowWith({ every: '15s' });
    const first = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    await first.register(flow);
    expect(state.meta.get(`stock/${FORECASTER_STATUS_META}`)).toMatchObject({
      reason: expect.stringMatching(/^no run history yet/) as string,
    });
    const processedUntil = (): unknown =>
      (state.meta.get(`stock/${FORECASTER_META}`) as { processedUntil?: number }).processedUntil;
    const cycleAfter = async (ms: number): Promise<void> => {
      time.advance(ms);
      await first.afterCycle(flow, ports, cycleResult(30, 0));
    };
    // +15 s: the first cycle only starts the first span; saved at register a moment ago.
    await cycleAfter(15_000);
    expect(processedUntil()).toBeUndefined();
    // +30 s: learned a span, and the status changed: saved at once.
    await cycleAfter(15_000);
    expect(processedUntil()).toBe(MONDAY + 30_000);
    expect(state.meta.get(`stock/${FORECASTER_STATUS_META}`)).toMatchObject({
      reason: expect.stringMatching(/^learning: 0 of 168/) as string,
    });
    // +45 s … +75 s: same status, less than a minute since the last save.
    for (let cycle = 0; cycle < 3; cycle += 1) await cycleAfter(15_000);
    expect(processedUntil()).toBe(MONDAY + 30_000);
    // +90 s: a minute since the last save.
    await cycleAfter(15_000);
    expect(processedUntil()).toBe(MONDAY + 90_000);

    // Restarted with no run history: the saved profile comes back.
    const second = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    await second.register(flow);
    expect(processedUntil()).toBe(MONDAY + 90_000);
    // A profile learned in another time zone is not reused.
    const shanghai = flowWith({ every: '15s', timezone: 'Asia/Shanghai' });
    await new AdaptiveCadence(state.asStore(), silentLogger, time.now).register(shanghai);
    expect(state.meta.get(`stock/${FORECASTER_META}`)).toMatchObject({ timeZone: 'Asia/Shanghai' });
    expect(processedUntil()).toBeUndefined();
  });
});

describe('AdaptiveCadence while waiting', () => {
  it('honours a Retry-After without waiting for the next cycle, and records the decision', async () => {
    const state = new MemoryState();
    const time = clock(MONDAY);
    const cadence = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    const flow = flowWith({ every: '1m' });
    await cadence.register(flow);
    cadence.observer(flow)({
      at: time.now(),
      latencyMs: 20,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 300,
    });
    time.advance(10_000);
    const decision = await cadence.whileWaiting(flow);
    expect(decision?.inputs.afterCycle).toBe(false);
    expect(decision?.intervalMs).toBeGreaterThanOrEqual(290_000);
    expect(decision?.reason).toMatch(/Retry-After/);
    expect(state.meta.get(`stock/${DECISION_META}`)).toMatchObject({ intervalMs: decision?.intervalMs });
    expect(await cadence.whileWaiting(flowWith({ cron: '0 * * * *' }, 'hourly'))).toBeUndefined();
  });

  it('tells its observer every recorded decision and keeps the latest for the snapshot', async () => {
    const time = clock(MONDAY);
    const told: Decision[] = [];
    const cadence = new AdaptiveCadence(new MemoryState().asStore(), silentLogger, time.now, {
      onDecision: (decision) => told.push(decision),
    });
    const flow = flowWith({ every: '1m' });
    await cadence.register(flow);
    const quiet = await cadence.whileWaiting(flow);
    cadence.observer(flow)({
      at: time.now(),
      latencyMs: 20,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 300,
    });
    time.advance(10_000);
    const backOff = await cadence.whileWaiting(flow);
    expect(told).toEqual([quiet, backOff]);
    expect(backOff?.intervalMs).toBeGreaterThan(backOff?.intervalMsBefore ?? Infinity);
    expect(cadence.lastDecision('stock')).toBe(backOff);
  });

  it("moves the waiting flow's next cycle when a re-decision changes its interval", async () => {
    const state = new MemoryState();
    const time = clock(MONDAY);
    const cadence = new AdaptiveCadence(state.asStore(), silentLogger, time.now);
    const flow = flowWith({ every: '1m' });
    await cadence.register(flow);
    const lastEndedAt = time.now();
    const announced: number[] = [];
    const planned = { dueAt: lastEndedAt + 60_000, trigger: 'schedule' as const, reason: 'every 1m' };
    const decision = await waitForTurn(cadence, flow, planned, lastEndedAt, {
      now: time.now,
      sleepUntil: (dueAt) => {
        // The target throttles while the flow waits.
        if (time.now() === lastEndedAt)
          cadence.observer(flow)({ at: time.now(), latencyMs: 5, outcome: 'error', retryAfterSeconds: 600 });
        time.advance(dueAt - time.now());
        return Promise.resolve();
      },
      isStopping: () => false,
      onScheduled: (next) => announced.push(next.dueAt),
      redecideEveryMs: 20_000,
    });
    // Announced on its configured cadence first, then moved past the end of the Retry-After.
    expect(announced[0]).toBe(lastEndedAt + 60_000);
    expect(announced[1]).toBeGreaterThanOrEqual(lastEndedAt + 600_000);
    expect(decision.dueAt).toBeGreaterThanOrEqual(lastEndedAt + 600_000);
    expect(decision.reason).toMatch(/^adaptive: every .*Retry-After/);
    expect(time.now()).toBe(decision.dueAt);
  });
});

describe('AdaptiveCadence cycle stop', () => {
  function unhealthy(cadence: AdaptiveCadence, flow: Flow, at: number): void {
    const observe = cadence.observer(flow);
    for (let write = 0; write < 10; write += 1)
      observe({ at, latencyMs: 50, outcome: 'error', code: 'CONNECTOR_DEADLOCK' });
  }

  it('stops a low-priority cycle after the batch in hand while the target is unhealthy, and logs why', async () => {
    const logged: string[] = [];
    const logger: Logger = { ...silentLogger, info: (message: string) => logged.push(message) };
    const time = clock(MONDAY);
    const cadence = new AdaptiveCadence(new MemoryState().asStore(), logger, time.now);
    const low = flowWith({ every: '1m', priority: 'low' }, 'notes');
    const high = flowWith({ every: '1m', priority: 'high' }, 'orders');
    await cadence.register(low);
    await cadence.register(high);
    const runtimeStop = new AbortController();
    const lowStop = cadence.cycleStop(low, runtimeStop.signal);
    const highStop = cadence.cycleStop(high, runtimeStop.signal);
    lowStop.afterBatch();
    expect(lowStop.signal.aborted).toBe(false);

    unhealthy(cadence, low, time.now());
    lowStop.afterBatch();
    highStop.afterBatch();
    expect(lowStop.signal.aborted).toBe(true);
    expect(highStop.signal.aborted).toBe(false);
    expect(logged.join('\n')).toMatch(
      /^flow notes yields its target after this batch: .*low-priority flows yield first/m,
    );

    runtimeStop.abort();
    expect(highStop.signal.aborted).toBe(true);
    lowStop.release();
    highStop.release();
  });

  it('never yields a flow with a fixed cadence, and releases the runtime stop signal', () => {
    const cadence = new AdaptiveCadence(new MemoryState().asStore(), silentLogger, () => MONDAY);
    const flow = flowWith({ every: '1m' });
    unhealthy(cadence, flow, MONDAY);
    const runtimeStop = new AbortController();
    const stop = cadence.cycleStop(flow, runtimeStop.signal);
    stop.afterBatch();
    expect(stop.signal.aborted).toBe(false);
    stop.release();
    runtimeStop.abort();
    expect(stop.signal.aborted).toBe(false);
  });
});

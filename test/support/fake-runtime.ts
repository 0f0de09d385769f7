import { emptyConfigChange, type ConfigChangeSummary } from '../../src/core/config-diff.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import type {
  EngineContext,
  FlowSnapshot,
  Runtime,
  RuntimeEvent,
  RuntimeSubscriber,
  TriggerOutcome,
  WakeOutcome,
} from '../../src/runtime/runtime.js';

/** Counts of a cycle with nothing in it. */
export const NO_COUNTS = {
  read: 0,
  written: 0,
  unchanged: 0,
  quarantined: 0,
  failed: 0,
  deleted: 0,
} as const;

/** The snapshot of an idle flow with the given cadence, for tests that read the runtime's snapshot. */
export function idleSnapshot(flow: string, cadence: Partial<FlowSnapshot['cadence']> = {}): FlowSnapshot {
  return {
    flow,
    activity: 'idle',
    nextDueAt: undefined,
    nextReason: undefined,
    cadence: {
      intervalMs: 60_000,
      configuredIntervalMs: 60_000,
      batch: 1000,
      configuredBatch: 1000,
      isAdaptive: false,
      reason: undefined,
      ...cadence,
    },
    running: undefined,
    lastCycle: undefined,
    paused: undefined,
  };
}

/**
 * A runtime that runs nothing: tests emit its events and set its snapshot, as subscribers
 * (metrics, alerts) would see them from a real one.
 */
export class FakeRuntime implements Runtime {
  readonly #subscribers = new Set<RuntimeSubscriber>();
  snapshots: FlowSnapshot[] = [];

  /** Tells every subscriber, as a runtime's event stream does. */
  emit(event: RuntimeEvent): void {
    for (const subscriber of [...this.#subscribers]) subscriber(event);
  }

  /** How many subscribers listen now. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  subscribe(listener: RuntimeSubscriber): () => void {
    const entry: RuntimeSubscriber = (event) => {
      listener(event);
    };
    this.#subscribers.add(entry);
    return () => {
      this.#subscribers.delete(entry);
    };
  }

  snapshot(): FlowSnapshot[] {
    return this.snapshots;
  }

  runOnce(): Promise<CycleResult[]> {
    return Promise.resolve([]);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  trigger(): Promise<TriggerOutcome> {
    return Promise.resolve('unknown');
  }

  reconfigure(_context: EngineContext): Promise<ConfigChangeSummary> {
    return Promise.resolve(emptyConfigChange());
  }

  refresh(_flow: string): void {
    // Nothing is scheduled in the fake.
  }

  wake(): WakeOutcome {
    return 'unknown';
  }

  pause(): Promise<void> {
    return Promise.resolve();
  }

  resume(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  abort(): void {
    // Nothing runs.
  }
}

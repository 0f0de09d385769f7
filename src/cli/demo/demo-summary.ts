import Database from 'better-sqlite3';
import { describeCadence } from '../../cadence/describe-cadence.js';
import type { Flow } from '../../core/flow.js';
import type { StateStore } from '../../core/state-store.js';
import type { CycleFinishedEvent, RuntimeSubscriber } from '../../runtime/runtime.js';
import { DEMO_TIERS } from './demo-config.js';
import { DEMO_TABLE_PAIRS } from './demo-schema.js';

/** One flow's line of the live summary. */
export interface DemoFlowSummary {
  readonly flow: string;
  readonly tier: string;
  readonly cadence: string;
  /** Cycles that succeeded. */
  readonly cycles: number;
  readonly failedCycles: number;
  readonly isRunning: boolean;
  /** Changes read, over every cycle (lookback re-reads included). */
  readonly read: number;
  /** Records written to the ERP, over every cycle. */
  readonly written: number;
  /** Open dead letters of the flow. */
  readonly deadLetters: number;
  /** Milliseconds since the last successful cycle started; undefined before the first. */
  readonly stalenessMs: number | undefined;
  readonly crmRows: number;
  readonly erpRows: number;
  /** Message of the last failed cycle, if the last cycle failed. */
  readonly lastError: string | undefined;
}

interface FlowTally {
  cycles: number;
  failedCycles: number;
  isRunning: boolean;
  read: number;
  written: number;
  lastSuccessStartedAt: number | undefined;
  lastError: string | undefined;
}

/**
 * Keeps the numbers of the live summary: cycle counts from the runtime's events, dead letters
 * from the state store, and row counts read straight from the two demo databases.
 */
export class DemoSummary {
  /** Subscribe it to the runtime to count cycles. */
  readonly subscriber: RuntimeSubscriber;
  readonly #flows: readonly Flow[];
  readonly #state: StateStore;
  readonly #crm: Database.Database;
  readonly #erp: Database.Database;
  readonly #tallies = new Map<string, FlowTally>();
  readonly #now: () => number;

  constructor(options: {
    flows: readonly Flow[];
    state: StateStore;
    crmPath: string;
    erpPath: string;
    now?: () => number;
  }) {
    this.#flows = options.flows;
    this.#state = options.state;
    this.#now = options.now ?? Date.now;
    this.#crm = new Database(options.crmPath, { readonly: true, fileMustExist: true });
    this.#erp = new Database(options.erpPath, { readonly: true, fileMustExist: true });
    for (const flow of options.flows) {
      this.#tallies.set(flow.name, {
        cycles: 0,
        failedCycles: 0,
        isRunning: false,
        read: 0,
        written: 0,
        lastSuccessStartedAt: undefined,
        lastError: undefined,
      });
    }
    this.subscriber = (event) => {
      if (event.type === 'cycle.started') {
        const tally = this.#tallies.get(event.flow);
        if (tally !== undefined) tally.isRunning = true;
      } else if (event.type === 'cycle.finished') this.#record(event);
    };
  }

  #record(result: CycleFinishedEvent): void {
    const tally = this.#tallies.get(result.flow);
    if (tally === undefined) return;
    tally.isRunning = false;
    tally.read += result.counts.read;
    tally.written += result.counts.written;
    if (result.status === 'succeeded') {
      tally.cycles += 1;
      tally.lastSuccessStartedAt = this.#now() - result.durationMs;
      tally.lastError = undefined;
    } else if (result.status === 'failed') {
      tally.failedCycles += 1;
      tally.lastError =
        result.error === undefined ? 'failed' : `${result.error.code}: ${result.error.message}`;
    }
  }

  #count(db: Database.Database, table: string): number {
    return Number(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
  }

  /** The current line of every flow, in the demo's order. */
  async snapshot(): Promise<DemoFlowSummary[]> {
    const now = this.#now();
    const summaries: DemoFlowSummary[] = [];
    for (const pair of DEMO_TABLE_PAIRS) {
      const flow = this.#flows.find((candidate) => candidate.name === pair.flow);
      const tally = this.#tallies.get(pair.flow);
      if (flow === undefined || tally === undefined) continue;
      const deadLetters = await this.#state.countDeadLetters({ flow: flow.name, status: 'open' });
      summaries.push({
        flow: flow.name,
        tier: DEMO_TIERS[flow.name]?.label ?? '',
        cadence: describeCadence(flow.cadence),
        cycles: tally.cycles,
        failedCycles: tally.failedCycles,
        isRunning: tally.isRunning,
        read: tally.read,
        written: tally.written,
        deadLetters,
        stalenessMs:
          tally.lastSuccessStartedAt === undefined
            ? undefined
            : Math.max(0, now - tally.lastSuccessStartedAt),
        crmRows: this.#count(this.#crm, pair.crmTable),
        erpRows: this.#count(this.#erp, pair.erpTable),
        lastError: tally.lastError,
      });
    }
    return summaries;
  }

  /** Closes the read-only connections to the demo databases. */
  close(): void {
    this.#crm.close();
    this.#erp.close();
  }
}

import type { CyclePorts, CycleResult } from '../core/cycle-ports.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';

/** What a runtime runs: compiled flows and the systems each one talks to. */
export interface EngineContext {
  readonly flows: readonly Flow[];
  readonly state: StateStore;
  readonly logger: Logger;
  /** The source, target and state of a flow. */
  portsFor(flow: Flow): CyclePorts;
}

/** Events a runtime reports, for live summaries, progress bars and logs. */
export interface RuntimeListener {
  onCycleStart?(flow: string, trigger: string, reason: string): void;
  onCycleProgress?(progress: import('../core/cycle-ports.js').CycleProgress): void;
  onCycleEnd?(result: CycleResult): void;
  onScheduled?(flow: string, dueAt: number, reason: string): void;
}

/** Who runs cycles where: in this process (local) or on workers (BullMQ). */
export interface Runtime {
  /** Runs every enabled flow (or the named ones) one cycle each, then resolves. */
  runOnce(flowNames?: readonly string[]): Promise<CycleResult[]>;
  /** Runs flows on their cadences until `stop()`. */
  start(flowNames?: readonly string[]): Promise<void>;
  /** Graceful: the batch in hand is finished and committed, no new cycle starts. */
  stop(): Promise<void>;
}

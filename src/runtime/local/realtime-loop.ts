import { RealtimeWakeup, safetyPoll, type WakeReason } from '../../cadence/realtime-wakeup.js';
import { formatDuration } from '../../config/duration.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { RunTrigger } from '../../core/state-store.js';
import type { EngineContext } from '../runtime.js';
import { watchFlowChanges } from './flow-change-watch.js';
import type { LocalFlowState } from './local-flow-state.js';

/** After a failed cycle, a realtime flow ignores events this long, doubled per failure (up to its poll). */
const FAILURE_PAUSE_MS = 1_000;

/** What the realtime loop of a flow needs from the local runtime. */
export interface RealtimeLoopPorts {
  readonly context: EngineContext;
  readonly now: () => number;
  /** How long the first change event of a burst waits for more, ms (RealtimeWakeup's default). */
  readonly debounceMs?: number;
  /** The runtime's graceful stop. */
  readonly stop: AbortSignal;
  /** Runs one cycle of the flow (never two at once). */
  readonly cycle: (trigger: RunTrigger, reason: string) => Promise<CycleResult>;
  /** Resolves once the flow is not paused (or the runtime stops). */
  readonly waitWhilePaused: () => Promise<void>;
  /** Told the flow's next safety poll. */
  readonly scheduled: (dueAt: number, reason: string) => void;
  /** Where the flow's wake-up is kept while the loop runs, for `wake` (webhooks) and dependents. */
  readonly wakeups: Map<string, RealtimeWakeup>;
}

/**
 * A realtime flow: a cycle at start, then one whenever a (debounced) change event, a run-now or
 * the safety poll wakes it. Cycles of a flow never overlap; events during a cycle lead to one
 * more cycle.
 */
export async function realtimeLoop(state: LocalFlowState, ports: RealtimeLoopPorts): Promise<void> {
  const { flow } = state;
  const isStopping = (): boolean => ports.stop.aborted;
  const wakeup = new RealtimeWakeup({
    now: ports.now,
    ...(ports.debounceMs === undefined ? {} : { debounceMs: ports.debounceMs }),
  });
  // Listen before the first cycle, so no change committed after that cycle's read goes unnoticed.
  const watch = await watchFlowChanges(ports.context, flow, wakeup, ports.stop);
  ports.wakeups.set(flow.name, wakeup);
  try {
    let wake: { trigger: RunTrigger; reason: string } = {
      trigger: 'start',
      reason: 'runs when Syncline starts',
    };
    let failures = 0;
    while (!isStopping()) {
      await ports.waitWhilePaused();
      if (isStopping()) break;
      if (state.requested !== undefined) wake = { trigger: 'manual', reason: state.requested.reason };
      wakeup.take();
      const result = await ports.cycle(wake.trigger, wake.reason);
      failures = result.status === 'failed' ? failures + 1 : 0;
      const endedAt = ports.now();
      const poll = safetyPoll(flow.cadence, watch?.isInstalled === true, endedAt);
      const notBefore =
        failures === 0 ? 0 : endedAt + Math.min(poll.dueAt - endedAt, FAILURE_PAUSE_MS * 2 ** (failures - 1));
      if (failures > 0) {
        ports.context.logger.error(
          `flow ${flow.name}: cycle failed; next try in ${formatDuration(notBefore - endedAt)} at the earliest`,
          { code: result.error?.code },
        );
      }
      // A run-now that came during the cycle: one more cycle at once.
      if (state.requested !== undefined && failures === 0) continue;
      ports.scheduled(poll.dueAt, `${poll.reason}, or sooner on a change event`);
      const reason: WakeReason = await wakeup.wait(poll.dueAt, ports.stop, notBefore);
      if (reason === 'stop') break;
      wake =
        reason === 'event'
          ? { trigger: 'event', reason: 'change event' }
          : { trigger: 'schedule', reason: poll.reason };
    }
  } finally {
    ports.wakeups.delete(flow.name);
    state.dropRequest();
    await watch?.close();
  }
}

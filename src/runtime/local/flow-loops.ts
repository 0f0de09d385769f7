import type { AdaptiveCadence } from '../../cadence/adaptive-cadence.js';
import type { RealtimeWakeup } from '../../cadence/realtime-wakeup.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { RunTrigger } from '../../core/state-store.js';
import type { EngineContext, ReconcileFinishedEvent } from '../runtime.js';
import { intervalLoop } from './interval-loop.js';
import type { LocalFlowState } from './local-flow-state.js';
import { realtimeLoop } from './realtime-loop.js';
import { reconcileLoop } from './reconcile-loop.js';

/** What a flow's loops need from the local runtime. */
export interface FlowLoopPorts {
  /** The runtime's current context (its connectors change with a reload). */
  readonly context: () => EngineContext;
  readonly adaptive: AdaptiveCadence;
  readonly now: () => number;
  /** Aborts when the runtime stops at once: running reconciles abort. */
  readonly hardStop: AbortSignal;
  readonly eventDebounceMs?: number;
  readonly redecideEveryMs?: number;
  /** Runs one cycle of the flow as configured now (never two at once). */
  readonly cycle: (trigger: RunTrigger, reason: string) => Promise<CycleResult>;
  /** Resolves once the flow is not paused, or on `stop`. */
  readonly waitWhilePaused: (stop: AbortSignal) => Promise<void>;
  readonly readPause: () => Promise<boolean>;
  /** Resolves at `dueAt` or on `stop`; also on a nudge of the flow when `isNudgeable`. */
  readonly sleepUntil: (dueAt: number, stop: AbortSignal, isNudgeable: boolean) => Promise<void>;
  readonly scheduled: (dueAt: number, reason: string) => void;
  readonly wakeups: Map<string, RealtimeWakeup>;
  readonly onReconcileFinished: (event: Omit<ReconcileFinishedEvent, 'type' | 'at'>) => void;
}

/**
 * Runs the loops of a flow as configured now — realtime or on its cadence, and its reconcile
 * schedule — until `stop` (the runtime stops, or a reload replaces or removes the flow).
 */
export async function runFlowLoops(
  state: LocalFlowState,
  stop: AbortSignal,
  ports: FlowLoopPorts,
): Promise<void> {
  const { flow } = state;
  // The loops outlive reloads that leave this flow alone: they reach connectors through the current context.
  const initial = ports.context();
  const live: EngineContext = {
    flows: initial.flows,
    state: initial.state,
    logger: initial.logger,
    portsFor: (target) => ports.context().portsFor(target),
  };
  const waitWhilePaused = (): Promise<void> => ports.waitWhilePaused(stop);
  const loops = [
    flow.cadence.realtime === true
      ? realtimeLoop(state, {
          context: live,
          now: ports.now,
          ...(ports.eventDebounceMs === undefined ? {} : { debounceMs: ports.eventDebounceMs }),
          stop,
          cycle: ports.cycle,
          waitWhilePaused,
          scheduled: ports.scheduled,
          wakeups: ports.wakeups,
        })
      : intervalLoop(state, {
          context: live,
          adaptive: ports.adaptive,
          now: ports.now,
          stop,
          cycle: ports.cycle,
          waitWhilePaused,
          readPause: ports.readPause,
          sleepUntil: (dueAt) => ports.sleepUntil(dueAt, stop, true),
          scheduled: ports.scheduled,
          ...(ports.redecideEveryMs === undefined ? {} : { redecideEveryMs: ports.redecideEveryMs }),
        }),
  ];
  if (flow.reconcile !== undefined)
    loops.push(
      reconcileLoop(live, flow, {
        now: ports.now,
        sleepUntil: (dueAt) => ports.sleepUntil(dueAt, stop, false),
        isStopping: () => stop.aborted,
        signal: ports.hardStop,
        onFinished: ports.onReconcileFinished,
      }),
    );
  await Promise.all(loops);
}

import type { AdaptiveCadence } from '../../cadence/adaptive-cadence.js';
import { waitForTurn } from '../../cadence/adaptive-wait.js';
import { nextRun, type ScheduleDecision } from '../../cadence/schedule.js';
import {
  readCadenceOverride,
  withCadenceOverride,
  type CadenceOverride,
} from '../../core/cadence-override.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { RunTrigger } from '../../core/state-store.js';
import type { EngineContext } from '../runtime.js';
import type { LocalFlowState } from './local-flow-state.js';

/** What the loop of a flow on an interval or cron cadence needs from the local runtime. */
export interface IntervalLoopPorts {
  readonly context: EngineContext;
  readonly adaptive: AdaptiveCadence;
  readonly now: () => number;
  /** The loop's graceful stop: the runtime stops, or a new config replaces the flow. */
  readonly stop: AbortSignal;
  /** Runs one cycle of the flow (never two at once). */
  readonly cycle: (trigger: RunTrigger, reason: string) => Promise<CycleResult>;
  /** Resolves once the flow is not paused (or the loop stops). */
  readonly waitWhilePaused: () => Promise<void>;
  /** Reads the flow's pause from the state store; true when paused. */
  readonly readPause: () => Promise<boolean>;
  /** Resolves at `dueAt`, or earlier when the loop stops or the flow is nudged. */
  readonly sleepUntil: (dueAt: number) => Promise<void>;
  /** Told the flow's next cycle. */
  readonly scheduled: (dueAt: number, reason: string) => void;
  /** Default of the adaptive wait. */
  readonly redecideEveryMs?: number;
}

/**
 * A flow on an interval or cron cadence: waits for its turn (the adaptive controller may move
 * it), runs a cycle, and again, until the loop stops. A run-now skips the wait.
 */
export async function intervalLoop(state: LocalFlowState, ports: IntervalLoopPorts): Promise<void> {
  const { flow } = state;
  const isStopping = (): boolean => ports.stop.aborted;
  const lastSuccess = await ports.context.state.lastSuccessfulRun(flow.name);
  // A loop that a reload restarted goes on from the flow's last cycle, on the new cadence.
  let lastEndedAt = state.isReconfigured ? state.lastCycle?.endedAt : undefined;
  await ports.adaptive.register(flow, { isReconfigured: state.isReconfigured });
  while (!isStopping()) {
    await ports.waitWhilePaused();
    if (isStopping()) break;
    let next: { trigger: RunTrigger; reason: string } | undefined;
    state.replan = false;
    if (state.requested === undefined) {
      const override = await readCadenceOverride(ports.context.state, flow.name, ports.now());
      const planned = nextRun(
        (override === undefined ? flow : withCadenceOverride(flow, override)).cadence,
        {
          lastSuccessAt: lastSuccess === undefined ? undefined : Date.parse(lastSuccess.startedAt),
          lastEndedAt,
        },
        ports.now(),
      );
      next =
        override === undefined
          ? await waitForTurn(ports.adaptive, flow, planned, lastEndedAt, {
              now: ports.now,
              sleepUntil: ports.sleepUntil,
              isStopping: () =>
                isStopping() || state.requested !== undefined || state.paused !== undefined || state.replan,
              onScheduled: (decision) => {
                ports.scheduled(decision.dueAt, decision.reason);
              },
              ...(ports.redecideEveryMs === undefined ? {} : { redecideEveryMs: ports.redecideEveryMs }),
            })
          : await waitOverride(state, planned, override, ports);
      if (isStopping()) break;
      // An override set, changed or ended (`refresh`) while it waited: plan again.
      if (state.isReplanDue() && !state.hasRequest()) continue;
      // Paused here or in another process while it waited: no cycle starts.
      if (state.paused !== undefined || (await ports.readPause())) continue;
    }
    const result = await ports.cycle(
      state.requested === undefined ? (next?.trigger ?? 'schedule') : 'manual',
      state.requested?.reason ?? next?.reason ?? '',
    );
    lastEndedAt = ports.now();
    if (result.status === 'failed') {
      ports.context.logger.error(`flow ${flow.name}: cycle failed; next try on its cadence`, {
        code: result.error?.code,
      });
    }
  }
}

/**
 * Waits for a cycle due under an operator's cadence override; wakes early to plan again when the
 * override ends, is changed (`refresh`) or a cycle is requested.
 */
async function waitOverride(
  state: LocalFlowState,
  planned: ScheduleDecision,
  override: CadenceOverride,
  ports: IntervalLoopPorts,
): Promise<ScheduleDecision> {
  const decision = {
    ...planned,
    reason: `override by ${override.by} until ${override.until}: ${planned.reason}`,
  };
  ports.scheduled(decision.dueAt, decision.reason);
  await ports.sleepUntil(Math.min(decision.dueAt, Date.parse(override.until)));
  if (ports.now() < decision.dueAt) state.replan = true;
  return decision;
}

import { audited } from '../core/audit.js';
import { SyncError } from '../core/errors.js';
import { clearPause, readPause, writePause } from '../core/flow-pause.js';
import type { TriggerOutcome } from '../runtime/runtime.js';
import { findFlow, type OperationsContext } from './operations-context.js';

/** Who asks, for the audit log. */
export interface Actor {
  /** `user@host` on the CLI, the token's name on the API. */
  readonly actor: string;
}

/**
 * Runs a flow's cycle now, ahead of its cadence, in the runtime of this process (audited as
 * `flow.run`). `already-running`: the running cycle is followed by one more; `paused`: nothing ran.
 */
export async function runFlowNow(
  context: OperationsContext,
  request: Actor & { readonly flow: string },
): Promise<{ readonly flow: string; readonly outcome: TriggerOutcome }> {
  const flow = findFlow(context, request.flow);
  const { runtime } = context;
  if (runtime === undefined)
    throw new SyncError(
      'RUNTIME_NOT_RUNNING',
      `Flow "${flow.name}" cannot run now: no runtime runs flows in this process; use "syncline run --once --flow ${flow.name}"`,
      { flow: flow.name },
    );
  const outcome = await audited(
    context.state,
    { actor: request.actor, action: 'flow.run', flow: flow.name, subject: 'run now' },
    async () => {
      const value = await runtime.trigger(flow.name, `run now by ${request.actor}`);
      return { value, isSuccess: value === 'started' || value === 'already-running', outcome: value };
    },
  );
  return { flow: flow.name, outcome };
}

/**
 * Pauses a flow: no new cycle starts until it is resumed, and a running cycle stops after the
 * batch in hand. The pause is kept in the state store, so it survives a restart and holds for every
 * process running the flow (audited as `flow.pause`).
 */
export async function pauseFlow(
  context: OperationsContext,
  request: Actor & { readonly flow: string; readonly reason?: string },
): Promise<{ readonly flow: string; readonly wasPaused: boolean }> {
  const flow = findFlow(context, request.flow);
  const wasPaused = (await readPause(context.state, flow.name)) !== undefined;
  await audited(
    context.state,
    {
      actor: request.actor,
      action: 'flow.pause',
      flow: flow.name,
      ...(request.reason === undefined ? {} : { subject: request.reason }),
    },
    async () => {
      const by = {
        actor: request.actor,
        ...(request.reason === undefined ? {} : { reason: request.reason }),
      };
      if (context.runtime !== undefined) await context.runtime.pause(flow.name, by);
      else
        await writePause(context.state, flow.name, {
          by: request.actor,
          at: new Date((context.now ?? Date.now)()).toISOString(),
          ...(request.reason === undefined ? {} : { reason: request.reason }),
        });
      return { value: undefined, isSuccess: true, outcome: wasPaused ? 'was already paused' : 'paused' };
    },
  );
  return { flow: flow.name, wasPaused };
}

/** Resumes a paused flow on its cadence (audited as `flow.resume`). */
export async function resumeFlow(
  context: OperationsContext,
  request: Actor & { readonly flow: string },
): Promise<{ readonly flow: string; readonly wasPaused: boolean }> {
  const flow = findFlow(context, request.flow);
  const wasPaused = (await readPause(context.state, flow.name)) !== undefined;
  await audited(context.state, { actor: request.actor, action: 'flow.resume', flow: flow.name }, async () => {
    if (context.runtime !== undefined) await context.runtime.resume(flow.name, { actor: request.actor });
    else await clearPause(context.state, flow.name);
    return { value: undefined, isSuccess: true, outcome: wasPaused ? 'resumed' : 'was not paused' };
  });
  return { flow: flow.name, wasPaused };
}

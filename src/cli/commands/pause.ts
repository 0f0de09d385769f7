import { currentActor } from '../../core/audit.js';
import { pauseFlow, resumeFlow } from '../../operations/flow-control.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

/** Options of `syncline pause` and `syncline resume`. */
export interface PauseOptions extends GlobalOptions {
  readonly flow: string;
  /** Why, for the audit log and `status` (pause only). */
  readonly reason?: string;
}

/**
 * `syncline pause --flow F [--reason TEXT]`: no new cycle of the flow starts, in any process, until
 * `syncline resume --flow F`; a running cycle stops after the batch in hand. Audited.
 */
export async function pauseCommand(action: 'pause' | 'resume', options: PauseOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const request = { actor: currentActor(), flow: options.flow };
    if (action === 'pause') {
      const result = await pauseFlow(engine.operations, {
        ...request,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      });
      process.stdout.write(
        `${result.flow}: ${result.wasPaused ? 'was already paused' : 'paused'}; no new cycle starts until "syncline resume --flow ${result.flow}"\n`,
      );
    } else {
      const result = await resumeFlow(engine.operations, request);
      process.stdout.write(
        `${result.flow}: ${result.wasPaused ? 'resumed; it runs on its cadence again' : 'was not paused'}\n`,
      );
    }
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

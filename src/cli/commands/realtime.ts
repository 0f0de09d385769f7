import { currentActor } from '../../core/audit.js';
import { setChangeEvents } from '../../operations/change-events.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

/** Options of `syncline realtime install|remove`. */
export interface RealtimeOptions extends GlobalOptions {
  /** The flow whose source table gets (or loses) its change events. */
  readonly flow: string;
}

/**
 * `syncline realtime install|remove --flow F`: creates or drops what makes the source of a flow
 * send change events (for PostgreSQL, a statement-level NOTIFY trigger and its function). Both are
 * idempotent and audited. Syncline never installs them by itself: without them a realtime flow polls.
 */
export async function realtimeCommand(
  action: 'install' | 'remove',
  options: RealtimeOptions,
): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const result = await setChangeEvents(engine.operations, {
      actor: currentActor(),
      flow: options.flow,
      action,
    });
    process.stdout.write(`${result.flow}: ${result.setup.message}\n`);
    if (action === 'install' && !result.isRealtime) {
      process.stderr.write(
        `note: flow ${result.flow} is not realtime (cadence.realtime: true); the events will not wake it until it is\n`,
      );
    }
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

import { audited, currentActor } from '../../core/audit.js';
import type { ChangeEventsSetup } from '../../core/connector.js';
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
 * idempotent. Syncline never installs them by itself: without them a realtime flow polls.
 */
export async function realtimeCommand(
  action: 'install' | 'remove',
  options: RealtimeOptions,
): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const flow = engine.flow(options.flow);
    const source = engine.connector(flow.sourceConnection);
    const isSupported =
      source.capabilities.changeEvents === true &&
      source.installChangeEvents !== undefined &&
      source.removeChangeEvents !== undefined;
    if (!isSupported) {
      process.stderr.write(
        `${flow.name}: connection ${flow.sourceConnection} cannot send change events; a realtime flow on it polls every pollInterval instead\n`,
      );
      return ExitCodes.badConfig;
    }
    const signal = AbortSignal.timeout(60_000);
    const setup: ChangeEventsSetup | undefined = await audited(
      engine.state,
      { actor: currentActor(), action: `realtime.${action}`, flow: flow.name, subject: flow.source.table },
      async () => {
        const value =
          action === 'install'
            ? await source.installChangeEvents?.(flow.source, signal)
            : await source.removeChangeEvents?.(flow.source, signal);
        return { value, isSuccess: value !== undefined, outcome: value?.message ?? 'not supported' };
      },
    );
    if (setup === undefined) return ExitCodes.badConfig;
    process.stdout.write(`${flow.name}: ${setup.message}\n`);
    if (action === 'install' && flow.cadence.realtime !== true) {
      process.stderr.write(
        `note: flow ${flow.name} is not realtime (cadence.realtime: true); the events will not wake it until it is\n`,
      );
    }
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

import type { RealtimeWakeup } from '../../cadence/realtime-wakeup.js';
import { safetyPollMs } from '../../cadence/schedule.js';
import { formatDuration } from '../../config/duration.js';
import type { ChangeWatch } from '../../core/connector.js';
import type { Flow } from '../../core/flow.js';
import type { EngineContext } from '../runtime.js';

/**
 * Subscribes a realtime flow to its source's change events, each one notifying `wakeup`, and says
 * once how the flow is woken; undefined when the source sends none (the flow polls).
 */
export async function watchFlowChanges(
  context: EngineContext,
  flow: Flow,
  wakeup: RealtimeWakeup,
  signal: AbortSignal,
): Promise<ChangeWatch | undefined> {
  const { source } = context.portsFor(flow);
  const log = context.logger;
  const pollOnly = formatDuration(safetyPollMs(flow.cadence, false));
  if (source.capabilities.changeEvents !== true || source.watchChanges === undefined) {
    log.info(
      `flow ${flow.name} is realtime; connection ${flow.sourceConnection} sends no change events of its own, so it polls every ${pollOnly} and is woken early by POST /hooks/${flow.name} or a webhook inbox that lists it under wakes:`,
    );
    return undefined;
  }
  let watch: ChangeWatch;
  try {
    watch = await source.watchChanges(
      flow.source,
      () => {
        wakeup.notify();
      },
      signal,
    );
  } catch (error) {
    log.warn(
      `flow ${flow.name}: cannot listen for change events (${error instanceof Error ? error.message : String(error)}); it polls every ${pollOnly}`,
    );
    return undefined;
  }
  if (watch.isInstalled) {
    log.info(
      `flow ${flow.name} is woken by change events; safety poll every ${formatDuration(safetyPollMs(flow.cadence, true))}`,
    );
  } else {
    log.warn(
      `flow ${flow.name}: change events are not installed on ${flow.source.table}; it polls every ${pollOnly}. ` +
        `To be woken by changes, run: syncline realtime install --flow ${flow.name}`,
    );
  }
  return watch;
}

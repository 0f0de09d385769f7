import type { CycleOptions } from '../core/cycle-ports.js';
import type { RuntimeEvents } from './runtime-events.js';

/** The cycle hooks that report the flow's dead letters and conflicts as runtime events. */
export function recordEventHooks(
  events: RuntimeEvents,
  flow: string,
): Required<Pick<CycleOptions, 'onDeadLetter' | 'onConflict'>> {
  return {
    onDeadLetter: (letter) => {
      events.emit({
        type: 'dead-letter',
        flow,
        key: letter.key,
        kind: letter.kind,
        code: letter.code,
        reason: letter.reason,
        ...(letter.field === undefined ? {} : { field: letter.field }),
      });
    },
    onConflict: (conflict) => {
      events.emit({
        type: 'conflict',
        flow,
        key: conflict.key,
        fields: conflict.fields,
        reason: conflict.reason,
      });
    },
  };
}

import type { WriteObserver } from '../core/batch-writer.js';
import type { CycleOptions } from '../core/cycle-ports.js';
import type { Flow } from '../core/flow.js';
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

/** Feeds the adaptive controller (`adaptive`) and the event stream with every write attempt of a flow. */
export function writeSampleObserver(
  events: RuntimeEvents,
  flow: Flow,
  adaptive: WriteObserver,
): WriteObserver {
  return (sample) => {
    adaptive(sample);
    events.emit({
      type: 'write.sample',
      flow: flow.name,
      target: flow.targetConnection,
      latencyMs: sample.latencyMs,
      outcome: sample.outcome,
      ...(sample.code === undefined ? {} : { code: sample.code }),
      ...(sample.rows === undefined ? {} : { rows: sample.rows }),
      at: sample.at,
    });
  };
}

import type { RuntimeEvent } from '../../src/runtime/runtime.js';

/** Events of one subscriber, with helpers to wait for them. */
export class EventLog {
  readonly events: RuntimeEvent[] = [];
  readonly listener = (event: RuntimeEvent): void => {
    this.events.push(event);
  };

  of<T extends RuntimeEvent['type']>(type: T): Extract<RuntimeEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<RuntimeEvent, { type: T }> => event.type === type);
  }
}

/** A gate the target's writes wait at, opened by `open()`. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

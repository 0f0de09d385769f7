import type { Logger } from '../core/logger.js';
import type { RuntimeEvent, RuntimeSubscriber } from './runtime.js';

/** Omit over each member of a union (plain `Omit` merges the members into one). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event without its `at`: {@link RuntimeEvents.emit} stamps it. */
export type UnstampedEvent = DistributiveOmit<RuntimeEvent, 'at'>;

/**
 * The event stream of a runtime: any number of subscribers, each told every event in order. A
 * subscriber that throws is logged and stays subscribed; the runtime and the others go on.
 */
export class RuntimeEvents {
  readonly #subscribers = new Set<RuntimeSubscriber>();
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: RuntimeSubscriber): () => void {
    // A wrapper per call: subscribing one function twice gives two independent subscriptions.
    const entry: RuntimeSubscriber = (event) => {
      subscriber(event);
    };
    this.#subscribers.add(entry);
    return () => {
      this.#subscribers.delete(entry);
    };
  }

  /** Whether anyone listens (to skip building costly events). */
  get hasSubscribers(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Tells every subscriber, stamping `at` (epoch ms) unless the event has one. */
  emit(event: UnstampedEvent & { readonly at?: number }): void {
    const stamped = { ...event, at: event.at ?? this.#now() } as RuntimeEvent;
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber(stamped);
      } catch (error) {
        this.#logger.error(
          `a runtime event subscriber failed on ${stamped.type}: ${error instanceof Error ? error.message : String(error)}`,
          'flow' in stamped ? { flow: stamped.flow } : {},
        );
      }
    }
  }
}

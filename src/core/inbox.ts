import type { JsonValue } from './values.js';

/** An event as a receiver (the webhook route, an MQTT subscription) hands it to the inbox. */
export interface InboxEventInput {
  /** The inbox: a `webhooks:` entry's name, or an MQTT connection's name. */
  readonly inbox: string;
  /**
   * Identifies the event at its sender, so a redelivered or replayed copy is stored once: the
   * vendor's event id, else the request's signature and position. Undefined: never de-duplicated.
   */
  readonly eventKey?: string;
  /** ISO 8601, UTC: when Syncline received it. */
  readonly receivedAt: string;
  /** The event's body as JSON (an MQTT message that is not JSON is kept as a string). */
  readonly payload: JsonValue;
  /**
   * What came with it that a reader may need: request headers (never authorization, cookies or
   * signatures), the MQTT topic. Plain strings only.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A stored event. */
export interface InboxEvent extends InboxEventInput {
  /** Rises with each event stored, across all inboxes: the order events are read in. */
  readonly id: number;
}

/** What `appendInboxEvents` did with each event, in the order given. */
export interface InboxAppendResult {
  /** The stored event's id (for a duplicate: the id of the copy stored first). */
  readonly id: number;
  /** True when an event of the same inbox and `eventKey` was already stored; nothing new was. */
  readonly isDuplicate: boolean;
}

/**
 * The durable inbox of events that systems push (webhooks, MQTT messages): appended before the
 * sender is acknowledged, read in order by flows whose source is the inbox, pruned once every
 * reader consumed them and they are past their retention.
 *
 * Readers are named (a flow's name): `markInboxConsumed` records how far each one got, and
 * `pruneInboxEvents` never removes an event a known reader has not consumed yet.
 */
export interface InboxStore {
  /**
   * Stores events in one transaction, committed (durably) before the promise resolves. An event
   * whose inbox and `eventKey` match a stored one is not stored again (`isDuplicate`).
   */
  appendInboxEvents(events: readonly InboxEventInput[]): Promise<InboxAppendResult[]>;
  /** Up to `limit` events of the inbox with an id above `afterId` (0 for all), in id order. */
  readInboxEvents(inbox: string, afterId: number, limit: number): Promise<InboxEvent[]>;
  /** How many events of the inbox have an id above `afterId`, counted in the store. */
  countInboxEvents(inbox: string, afterId: number): Promise<number>;
  /** Records that `reader` has handled every event of the inbox up to `throughId`; never moves back. */
  markInboxConsumed(inbox: string, reader: string, throughId: number): Promise<void>;
  /**
   * Deletes events of the inbox received before `receivedBefore` (ISO 8601) that every reader
   * recorded by `markInboxConsumed` has consumed (all of them when none is recorded). Returns
   * how many were deleted. Their event keys are forgotten with them, so keep events at least as
   * long as a sender may redeliver.
   */
  pruneInboxEvents(inbox: string, receivedBefore: string): Promise<number>;
}

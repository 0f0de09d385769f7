import type { Change, ChangeBatch, Checkpoint, SourceSpec } from './connector.js';
import { ConnectorError } from './errors.js';
import type { InboxEvent, InboxStore } from './inbox.js';
import { valueAtPath } from './json-path.js';
import type { Logger } from './logger.js';
import type { Row, Value } from './values.js';
import { valueText } from './values.js';

/** Columns every inbox event has besides its payload's. */
export const INBOX_EVENT_COLUMNS = {
  /** The event's id in the inbox (rises in the order events were stored). */
  eventId: '_event_id',
  /** When Syncline received it, ISO 8601 UTC. */
  receivedAt: '_received_at',
} as const;

/** How a connector reads an inbox as a flow source. */
export interface InboxSourceOptions {
  /** The connection's name, for messages. */
  readonly connection: string;
  readonly logger: Logger;
  /** Column → JSON path into the payload; a column not listed is read at the path of its own name. */
  readonly fields: Readonly<Record<string, string>>;
  /** Columns of the event besides its payload's (the MQTT topic), by name. */
  readonly eventColumns?: (event: InboxEvent) => Readonly<Record<string, Value>>;
}

/** The checkpoint of an inbox source: the id of the last event handled. */
function afterIdOf(since: Checkpoint | undefined, flow: string): number {
  const id = since?.inboxEventId;
  if (since === undefined) return 0;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
    throw new ConnectorError(
      'CONFIG_INVALID',
      `Flow "${flow}": the checkpoint ${JSON.stringify(since)} is not an inbox position ({ "inboxEventId": n }); was the flow's source changed? Reset it with syncline resync --flow ${flow} --all`,
      { flow, retryable: false },
    );
  return id;
}

/** Whether `a` sorts after `b` as a cursor value (numbers by value, anything else as text). */
function isAfter(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  return valueText(a) > valueText(b);
}

/**
 * A flow source over an inbox (`SourceSpec.table` names it): events read in the order they were
 * stored, each one a change of the record its key path names; the checkpoint is the last event's
 * id. Of several events of one key in a batch, the one with the highest cursor value wins (the
 * later event on a tie), so an older version read late never overwrites a newer one within a batch.
 */
export class InboxSource {
  readonly #inbox: InboxStore;
  readonly #options: InboxSourceOptions;

  constructor(inbox: InboxStore, options: InboxSourceOptions) {
    this.#inbox = inbox;
    this.#options = options;
  }

  /** The row of an event: each source column at its JSON path, or the event's own columns. */
  rowOf(event: InboxEvent, columns: readonly string[]): Row {
    const own: Record<string, Value> = {
      [INBOX_EVENT_COLUMNS.eventId]: event.id,
      [INBOX_EVENT_COLUMNS.receivedAt]: event.receivedAt,
      ...this.#options.eventColumns?.(event),
    };
    const row: Row = {};
    for (const column of columns) {
      const value =
        column in own ? own[column] : valueAtPath(event.payload, this.#options.fields[column] ?? column);
      row[column] = value ?? null;
    }
    return row;
  }

  /** The change an event carries, or undefined (logged) when it has no key. */
  changeOf(event: InboxEvent, source: SourceSpec): Change | undefined {
    const row = this.rowOf(event, source.columns);
    const key = row[source.key];
    if (key === null || key === undefined || typeof key === 'object') {
      this.#options.logger.warn(
        `flow ${source.flow}: event ${event.id} of inbox ${source.table} has no key at ${this.#options.fields[source.key] ?? source.key}; skipped`,
      );
      return undefined;
    }
    const isDeleted = source.deleted !== undefined && row[source.deleted] === true;
    return { key: valueText(key), op: isDeleted ? 'delete' : 'upsert', row };
  }

  /**
   * Keeps, per key, the change with the highest cursor value (the later one on a tie); without a
   * cursor, the latest event of each key.
   */
  #newestPerKey(
    changes: readonly Change[],
    cursor: string | undefined,
    into = new Map<string, Change>(),
  ): Map<string, Change> {
    for (const change of changes) {
      const held = into.get(change.key);
      if (cursor === undefined) {
        into.set(change.key, change);
        continue;
      }
      const value = change.row[cursor] ?? null;
      if (held === undefined || !isAfter(held.row[cursor] ?? null, value)) into.set(change.key, change);
    }
    return into;
  }

  async *readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    let afterId = afterIdOf(since, source.flow);
    // What the checkpoint says was handled is consumed: the inbox may prune it.
    if (afterId > 0) await this.#inbox.markInboxConsumed(source.table, source.flow, afterId);
    for (;;) {
      signal.throwIfAborted();
      const events = await this.#inbox.readInboxEvents(source.table, afterId, source.batchSize);
      if (events.length === 0) return;
      const changes = events.flatMap((event) => this.changeOf(event, source) ?? []);
      afterId = events.at(-1)?.id ?? afterId;
      yield {
        changes: [...this.#newestPerKey(changes, source.cursor).values()],
        checkpoint: { inboxEventId: afterId },
      };
      if (events.length < source.batchSize) return;
    }
  }

  /** The newest retained event of each key (a resync or replay of events already pruned finds nothing). */
  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const wanted = new Set(keys);
    const found = new Map<string, Change>();
    let afterId = 0;
    for (;;) {
      signal.throwIfAborted();
      const events = await this.#inbox.readInboxEvents(source.table, afterId, 1000);
      if (events.length === 0) break;
      const changes = events
        .flatMap((event) => this.changeOf(event, source) ?? [])
        .filter((c) => wanted.has(c.key));
      this.#newestPerKey(changes, source.cursor, found);
      afterId = events.at(-1)?.id ?? afterId;
    }
    return [...found.values()];
  }

  async countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number): Promise<number> {
    return Math.min(limit, await this.#inbox.countInboxEvents(source.table, afterIdOf(since, source.flow)));
  }
}

import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  SourceSpec,
  TableSchema,
  WriteResult,
} from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { InboxStore } from '../../core/inbox.js';
import { InboxSource } from '../../core/inbox-source.js';
import { describeJsonPathProblem } from '../../core/json-path.js';
import type { WebhookConnectionConfig } from './webhook-config.js';

const INBOX_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The `webhooks:` inboxes as a flow source: `source.table` names the inbox, `source.key` and
 * `source.cursor` are JSON paths into each event (or columns mapped to paths under `fields`). Events
 * are read in the order they were stored; the checkpoint is the last event's id. It cannot be a target.
 */
export class WebhookConnector implements Connector {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: false,
    transactions: false,
    describe: false,
  };
  readonly #name: string;
  readonly #inbox: InboxStore | undefined;
  readonly #source: InboxSource | undefined;

  constructor(config: WebhookConnectionConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#inbox = context.inbox;
    this.#source =
      context.inbox === undefined
        ? undefined
        : new InboxSource(context.inbox, {
            connection: context.name,
            logger: context.logger,
            fields: config.fields,
          });
  }

  checkObjectName(name: string): string | undefined {
    return INBOX_NAME.test(name)
      ? undefined
      : `"${name}" is not a webhook inbox name (a name under webhooks:)`;
  }

  checkFieldName(name: string): string | undefined {
    return describeJsonPathProblem(name);
  }

  async probe(): Promise<ProbeResult> {
    const inbox = this.#requireInbox();
    const started = performance.now();
    await inbox.countInboxEvents('', 0);
    return { ok: true, server: 'Syncline webhook inbox', latencyMs: Math.round(performance.now() - started) };
  }

  describeTable(): Promise<TableSchema | undefined> {
    return Promise.resolve(undefined);
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    return this.#requireSource().readChanges(source, since, signal);
  }

  readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return this.#requireSource().readByKeys(source, keys, signal);
  }

  countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number): Promise<number> {
    return this.#requireSource().countPending(source, since, limit);
  }

  writeBatch(): Promise<WriteResult> {
    return Promise.reject(
      new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `connection "${this.#name}" reads webhook inboxes and cannot be a flow's target`,
        { retryable: false },
      ),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #requireInbox(): InboxStore {
    if (this.#inbox === undefined) throw this.#noInbox();
    return this.#inbox;
  }

  #requireSource(): InboxSource {
    if (this.#source === undefined) throw this.#noInbox();
    return this.#source;
  }

  #noInbox(): ConnectorError {
    return new ConnectorError(
      'CONFIG_INVALID',
      `connection "${this.#name}" reads the state store's inbox, and none was given to it`,
      { retryable: false },
    );
  }
}

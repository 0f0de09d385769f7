import type {
  Change,
  ChangeBatch,
  ChangeEventsSetup,
  ChangeWatch,
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
import { InboxSource } from '../../core/inbox-source.js';
import { describeJsonPathProblem } from '../../core/json-path.js';
import type { Logger } from '../../core/logger.js';
import type { MqttConfig } from './mqtt-config.js';
import { MqttSubscription } from './mqtt-subscription.js';

/** How long a probe or a realtime watch waits for the first subscription. */
const FIRST_ATTEMPT_MS = 10_000;

/** The column holding a message's topic. */
export const TOPIC_COLUMN = '_topic';

/**
 * An MQTT broker as a flow source. Messages of the subscribed topics are stored in the inbox named
 * after the connection (before the broker gets its PUBACK) and read from there like a webhook
 * inbox: `source.table` is the connection's name, key and cursor JSON paths into the payload, the
 * topic the column `_topic`. The subscription starts with the first read or realtime watch and
 * stays up until the connector closes; a realtime flow is woken by each stored message.
 */
export class MqttConnector implements Connector {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: false,
    transactions: false,
    describe: false,
    changeEvents: true,
  };
  readonly #name: string;
  readonly #logger: Logger;
  readonly #subscription: MqttSubscription | undefined;
  readonly #source: InboxSource | undefined;

  constructor(config: MqttConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#logger = context.logger;
    if (context.inbox !== undefined) {
      this.#subscription = new MqttSubscription(config, context.name, context.inbox, context.logger);
      this.#source = new InboxSource(context.inbox, {
        connection: context.name,
        logger: context.logger,
        fields: config.fields,
        eventColumns: (event) => ({ [TOPIC_COLUMN]: event.headers?.topic ?? null }),
      });
    }
  }

  checkObjectName(name: string): string | undefined {
    return name === this.#name
      ? undefined
      : `the MQTT connection "${this.#name}" keeps its messages in the inbox "${this.#name}": write table: ${this.#name}`;
  }

  checkFieldName(name: string): string | undefined {
    return describeJsonPathProblem(name);
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    const { subscription } = this.#parts();
    try {
      await subscription.start(AbortSignal.any([signal, AbortSignal.timeout(FIRST_ATTEMPT_MS)]));
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    return subscription.isSubscribed
      ? { ok: true, server: 'MQTT broker', latencyMs: Math.round(performance.now() - started) }
      : {
          ok: false,
          message: `not connected to the broker${subscription.lastError === undefined ? '' : `: ${subscription.lastError}`}`,
        };
  }

  describeTable(): Promise<TableSchema | undefined> {
    return Promise.resolve(undefined);
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    const { subscription, reader } = this.#parts(source);
    this.#subscribeInBackground(subscription);
    return reader.readChanges(source, since, signal);
  }

  readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return this.#parts(source).reader.readByKeys(source, keys, signal);
  }

  countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number): Promise<number> {
    return this.#parts(source).reader.countPending(source, since, limit);
  }

  /** Wakes the flow after each stored message; resolves once subscribed, or after the first attempt's time. */
  async watchChanges(source: SourceSpec, onChange: () => void, signal: AbortSignal): Promise<ChangeWatch> {
    const { subscription } = this.#parts(source);
    const remove = subscription.listen(onChange);
    try {
      await subscription.start(AbortSignal.any([signal, AbortSignal.timeout(FIRST_ATTEMPT_MS)]));
    } catch (error) {
      remove();
      throw error;
    }
    if (!subscription.isSubscribed)
      this.#logger.warn(
        `MQTT connection ${this.#name}: not subscribed yet${subscription.lastError === undefined ? '' : ` (${subscription.lastError})`}; retrying every second`,
      );
    return {
      isInstalled: true,
      close: () => {
        remove();
        return Promise.resolve();
      },
    };
  }

  installChangeEvents(): Promise<ChangeEventsSetup> {
    return Promise.resolve({ isChanged: false, message: 'an MQTT subscription needs nothing installed' });
  }

  removeChangeEvents(): Promise<ChangeEventsSetup> {
    return Promise.resolve({ isChanged: false, message: 'an MQTT subscription has nothing installed' });
  }

  writeBatch(): Promise<WriteResult> {
    return Promise.reject(
      new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `connection "${this.#name}" is an MQTT source and cannot be a flow's target`,
        {
          retryable: false,
        },
      ),
    );
  }

  close(): Promise<void> {
    return this.#subscription?.close() ?? Promise.resolve();
  }

  /** Starts the subscription without waiting: the inbox is read whether or not the broker answers. */
  #subscribeInBackground(subscription: MqttSubscription): void {
    subscription.start(AbortSignal.timeout(0)).catch((error: unknown) => {
      this.#logger.warn(
        `MQTT connection ${this.#name}: not subscribed yet (${error instanceof Error ? error.message : String(error)}); retrying`,
      );
    });
  }

  #parts(source?: SourceSpec): { subscription: MqttSubscription; reader: InboxSource } {
    if (this.#subscription === undefined || this.#source === undefined)
      throw new ConnectorError(
        'CONFIG_INVALID',
        `MQTT connection "${this.#name}" needs the state store's inbox, and none was given to it`,
        {
          retryable: false,
        },
      );
    const problem = source === undefined ? undefined : this.checkObjectName(source.table);
    if (problem !== undefined && source !== undefined)
      throw new ConnectorError('CONFIG_INVALID', `Flow "${source.flow}": ${problem}`, {
        flow: source.flow,
        retryable: false,
      });
    return { subscription: this.#subscription, reader: this.#source };
  }
}

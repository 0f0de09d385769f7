import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { InboxEventInput, InboxStore } from '../../core/inbox.js';
import { valueAtPath } from '../../core/json-path.js';
import type { Logger } from '../../core/logger.js';
import type { JsonValue } from '../../core/values.js';
import { mqttClientId, type MqttConfig } from './mqtt-config.js';

/** Prunes the inbox at most this often, after a stored message. */
const PRUNE_EVERY_MS = 60_000;

/** A message payload as JSON, or as text when it is not JSON. */
export function messagePayload(payload: Buffer): JsonValue {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** The inbox event of a message: its topic kept as a header, its id (when configured) its key. */
export function messageEvent(
  inbox: string,
  config: Pick<MqttConfig, 'eventKey'>,
  topic: string,
  payload: Buffer,
): InboxEventInput {
  const body = messagePayload(payload);
  const id = config.eventKey === undefined ? undefined : valueAtPath(body, config.eventKey);
  return {
    inbox,
    receivedAt: new Date().toISOString(),
    payload: body,
    headers: { topic },
    ...(typeof id === 'string' || typeof id === 'number' ? { eventKey: `id:${id}` } : {}),
  };
}

/**
 * The broker subscription of one MQTT connection: a persistent session (`clean: false`, a stable
 * client id), the topics subscribed with QoS 1, and each message stored in the inbox before it is
 * acknowledged: mqtt.js sends the PUBACK only once `handleMessage` calls back, so a message is
 * acknowledged only after its commit. A message Syncline dies holding is delivered again by the
 * broker. Listeners are told after each stored message.
 */
export class MqttSubscription {
  readonly #config: MqttConfig;
  readonly #connection: string;
  readonly #inbox: InboxStore;
  readonly #logger: Logger;
  readonly #listeners = new Set<() => void>();
  #client: MqttClient | undefined;
  #subscribed: Promise<void> | undefined;
  #lastPrunedMs = 0;
  #isSubscribed = false;
  #lastError: string | undefined;

  constructor(config: MqttConfig, connection: string, inbox: InboxStore, logger: Logger) {
    this.#config = config;
    this.#connection = connection;
    this.#inbox = inbox;
    this.#logger = logger;
  }

  /** Whether the client is connected to the broker now. */
  get isConnected(): boolean {
    return this.#client?.connected === true;
  }

  /**
   * Connects and subscribes once. Resolves when subscribed — the client reconnects every second
   * until it is — or when `signal` aborts first (`isSubscribed` says which); rejects when the broker
   * refuses a topic.
   */
  async start(signal: AbortSignal): Promise<void> {
    this.#subscribed ??= this.#connect();
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
    await Promise.race([this.#subscribed, aborted]);
  }

  /** Whether the topics are subscribed (the session exists at the broker). */
  get isSubscribed(): boolean {
    return this.#isSubscribed;
  }

  /** The last connection error, for messages. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Calls `listener` after each newly stored message; returns its removal. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#subscribed = undefined;
    this.#listeners.clear();
    // Not forced: an in-flight message's commit and PUBACK finish first.
    if (client !== undefined) await client.endAsync(false);
  }

  #connect(): Promise<void> {
    const client = mqtt.connect(this.#config.url.reveal(), {
      clientId: mqttClientId(this.#config, this.#connection),
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      manualConnect: true,
      ...(this.#config.username === undefined ? {} : { username: this.#config.username }),
      ...(this.#config.password === undefined ? {} : { password: this.#config.password.reveal() }),
    });
    this.#client = client;
    // Set before connecting: the broker sends the messages kept for the session right after CONNACK.
    client.handleMessage = (packet, callback) => {
      this.#store(packet).then(
        () => {
          callback();
        },
        (error: unknown) => {
          // Not acknowledged: dropping the connection makes the broker deliver it again on reconnect.
          this.#logger.error(
            `MQTT connection ${this.#connection}: could not store a message of ${packet.topic}; it will be delivered again (${error instanceof Error ? error.message : String(error)})`,
          );
          client.stream.destroy();
        },
      );
    };
    client.on('error', (error) => {
      this.#lastError = error.message;
      this.#logger.warn(`MQTT connection ${this.#connection}: ${error.message}`);
    });
    client.on('reconnect', () => {
      this.#logger.debug(`MQTT connection ${this.#connection}: reconnecting`);
    });
    // A broker that cannot be reached is retried by the client every second; the first connect
    // subscribes (with a persistent session the broker keeps the subscription after that).
    return new Promise<void>((resolve, reject) => {
      client.once('connect', () => {
        client.subscribe([...this.#config.topics], { qos: 1 }, (error, granted) => {
          const refused = granted?.filter((grant) => grant.qos === 128) ?? [];
          if (error) reject(error);
          else if (refused.length > 0)
            reject(
              new Error(
                `the broker refused the subscription to ${refused.map((grant) => grant.topic).join(', ')}`,
              ),
            );
          else {
            this.#isSubscribed = true;
            resolve();
          }
        });
      });
      client.connect();
    });
  }

  async #store(packet: IPublishPacket): Promise<void> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const [result] = await this.#inbox.appendInboxEvents([
      messageEvent(this.#connection, this.#config, packet.topic, payload),
    ]);
    if (result?.isDuplicate !== true) for (const listener of this.#listeners) listener();
    const now = Date.now();
    if (now - this.#lastPrunedMs >= PRUNE_EVERY_MS) {
      this.#lastPrunedMs = now;
      await this.#inbox.pruneInboxEvents(this.#connection, new Date(now - this.#config.retain).toISOString());
    }
  }
}

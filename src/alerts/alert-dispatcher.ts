import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { AlertChannelConfig } from '../config/alerts-schema.js';
import { redactText } from '../config/secret.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import {
  AlertDeliveryError,
  sendToChannel,
  type ChannelDeps,
  type ChannelMessage,
} from './alert-channels.js';
import { digestHeadline, type AlertLanguage, type AlertNotice } from './alert-messages.js';

/** What became of a notice on one channel: sent, failed after its attempts, or folded into a digest. */
export type DeliveryOutcome = 'sent' | 'failed' | 'suppressed';

/** The pseudo-flow and meta name under which deliveries are recorded. */
export const DELIVERIES_FLOW = 'alerts';
export const DELIVERIES_META = 'deliveries';
/** Deliveries kept in the record, newest last. */
export const DELIVERIES_KEPT = 200;
const RATE_WINDOW_MS = 60_000;
const ATTEMPTS = 3;

/** Notices per minute a channel sends before folding the rest into a digest, unless configured. */
export function defaultRatePerMinute(type: AlertChannelConfig['type']): number {
  return type === 'dingtalk' || type === 'wecom' ? 20 : 60;
}

interface ChannelQueue {
  readonly name: string;
  readonly config: AlertChannelConfig;
  readonly ratePerMinute: number;
  /** When this channel's recent deliveries went out, epoch ms (the last minute's). */
  sentAt: number[];
  /** Notices held back by the rate limit, sent as one digest when the window allows. */
  held: AlertNotice[];
}

/** What the dispatcher needs. */
export interface DispatcherOptions {
  readonly channels: Readonly<Record<string, AlertChannelConfig>>;
  readonly language: AlertLanguage;
  readonly state: StateStore;
  readonly logger: Logger;
  readonly deps: ChannelDeps;
  /** Secret values to mask in every recorded error and log line. */
  readonly secrets: readonly string[];
  /** First retry delay, ms (doubling, at most 30 s). */
  readonly retryDelayMs: number;
  readonly onDelivery?: (channel: string, outcome: DeliveryOutcome) => void;
}

/**
 * Sends notices to channels: a per-channel rate limit (a sliding minute) that folds overflow into
 * one digest sent when the window allows; three attempts with exponential backoff (cockatiel),
 * none more after a 4xx other than 429; every delivery recorded (the last 200) and logged.
 */
export class AlertDispatcher {
  readonly #options: DispatcherOptions;
  readonly #queues = new Map<string, ChannelQueue>();
  readonly #policy: RetryPolicy;
  readonly #inFlight = new Set<Promise<void>>();
  #recording: Promise<void> = Promise.resolve();

  constructor(options: DispatcherOptions) {
    this.#options = options;
    for (const [name, config] of Object.entries(options.channels))
      this.#queues.set(name, {
        name,
        config,
        ratePerMinute: config.ratePerMinute ?? defaultRatePerMinute(config.type),
        sentAt: [],
        held: [],
      });
    this.#policy = retry(
      handleWhen((error) => error instanceof AlertDeliveryError && error.isRetryable),
      {
        maxAttempts: ATTEMPTS - 1,
        backoff: new ExponentialBackoff({ initialDelay: options.retryDelayMs, maxDelay: 30_000 }),
      },
    );
  }

  /** Sends (or folds) the notice to each named channel; resolves when the sends are done. */
  async dispatch(notice: AlertNotice, channelNames: readonly string[]): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const name of channelNames) {
      const queue = this.#queues.get(name);
      if (queue === undefined) continue;
      if (queue.held.length > 0 || !this.#admit(queue)) {
        queue.held.push(notice);
        this.#options.onDelivery?.(name, 'suppressed');
        await this.#record(queue, { notices: [notice], isDigest: false }, 'suppressed', undefined);
        continue;
      }
      sends.push(
        this.#track(
          this.#send(queue, {
            notices: [notice],
            isDigest: false,
            headline: notice.summary,
            body: notice.description,
          }),
        ),
      );
    }
    await Promise.all(sends);
  }

  /** Sends the digest of every channel whose window allows one again (or of all, with `force`). */
  async flushDigests(force = false): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const queue of this.#queues.values()) {
      if (queue.held.length === 0 || !(this.#admit(queue) || force)) continue;
      const notices = queue.held;
      queue.held = [];
      if (force) queue.sentAt.push(this.#options.deps.now());
      const headline = digestHeadline(notices.length, this.#options.language);
      const body = notices.map((notice) => notice.summary).join('\n');
      sends.push(this.#track(this.#send(queue, { notices, isDigest: true, headline, body })));
    }
    await Promise.all(sends);
  }

  /** Whether any channel holds notices for a digest. */
  get hasHeldNotices(): boolean {
    return [...this.#queues.values()].some((queue) => queue.held.length > 0);
  }

  /** Sends every held digest now and waits for deliveries in flight and their records. */
  async close(): Promise<void> {
    await this.flushDigests(true);
    await Promise.allSettled([...this.#inFlight]);
    await this.#recording;
  }

  /** Takes a slot in the channel's minute when one is free. */
  #admit(queue: ChannelQueue): boolean {
    const now = this.#options.deps.now();
    queue.sentAt = queue.sentAt.filter((at) => at > now - RATE_WINDOW_MS);
    if (queue.sentAt.length >= queue.ratePerMinute) return false;
    queue.sentAt.push(now);
    return true;
  }

  #track(send: Promise<void>): Promise<void> {
    this.#inFlight.add(send);
    void send.finally(() => this.#inFlight.delete(send));
    return send;
  }

  async #send(queue: ChannelQueue, message: ChannelMessage): Promise<void> {
    const redact = (text: string): string => redactText(text, this.#options.secrets);
    let error: string | undefined;
    let status: number | undefined;
    try {
      await this.#policy.execute(() => sendToChannel(queue.config, message, this.#options.deps));
    } catch (failure) {
      error = redact(failure instanceof Error ? failure.message : String(failure));
      status = failure instanceof AlertDeliveryError ? failure.status : undefined;
    }
    const outcome: DeliveryOutcome = error === undefined ? 'sent' : 'failed';
    const fields = { channel: queue.name, type: queue.config.type, notices: message.notices.length, outcome };
    if (error === undefined)
      this.#options.logger.info(`alert sent to ${queue.name}: ${redact(message.headline)}`, fields);
    else this.#options.logger.warn(`alert to ${queue.name} failed: ${error}`, { ...fields, error });
    this.#options.onDelivery?.(queue.name, outcome);
    await this.#record(queue, message, outcome, error, status);
  }

  /** Appends to the bounded delivery record; writes are chained so none is lost to a race. */
  #record(
    queue: ChannelQueue,
    message: Pick<ChannelMessage, 'notices' | 'isDigest'>,
    outcome: DeliveryOutcome,
    error: string | undefined,
    status?: number,
  ): Promise<void> {
    const at = new Date(this.#options.deps.now()).toISOString();
    const entries: JsonValue[] = message.notices.map((notice) => ({
      channel: queue.name,
      rule: notice.rule,
      flow: notice.flow,
      status: notice.status,
      outcome,
      ...(message.isDigest ? { digest: true } : {}),
      ...(status === undefined ? {} : { httpStatus: status }),
      ...(error === undefined ? {} : { error }),
      at,
    }));
    const { state, logger } = this.#options;
    this.#recording = this.#recording.then(async () => {
      try {
        const kept = await state.getFlowMeta(DELIVERIES_FLOW, DELIVERIES_META);
        const list = Array.isArray(kept) ? kept : [];
        await state.setFlowMeta(
          DELIVERIES_FLOW,
          DELIVERIES_META,
          [...list, ...entries].slice(-DELIVERIES_KEPT),
        );
      } catch (failure) {
        logger.warn(
          `alert delivery not recorded: ${failure instanceof Error ? failure.message : String(failure)}`,
        );
      }
    });
    return this.#recording;
  }
}

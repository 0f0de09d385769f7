import type { AlertCondition, AlertsConfig } from '../config/alerts-schema.js';
import { redactText } from '../config/secret.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import { flowStatuses, type FlowStatus } from '../operations/flow-status.js';
import type { OperationsContext } from '../operations/operations-context.js';
import type { Runtime, RuntimeEvent } from '../runtime/runtime.js';
import { smtpMailSender, type MailSender } from './alert-channels.js';
import { conditionKind, measureCondition } from './alert-conditions.js';
import { AlertDispatcher, type DeliveryOutcome } from './alert-dispatcher.js';
import { renderNotice, type AlertLanguage, type AlertNotice, type AlertSeverity } from './alert-messages.js';
import { alertSecretValues } from './alert-secrets.js';
import { alertFingerprint, nextTransition, readFiring, writeFiring } from './alert-state.js';

export {
  AlertDeliveryError,
  httpRequestFor,
  sendToChannel,
  smtpMailSender,
  vendorError,
} from './alert-channels.js';
export type { ChannelMessage, MailSender } from './alert-channels.js';
export { conditionKind, ERROR_RATE_WINDOW_MS, measureCondition } from './alert-conditions.js';
export type { ConditionKind, Measurement } from './alert-conditions.js';
export {
  AlertDispatcher,
  DELIVERIES_FLOW,
  DELIVERIES_KEPT,
  DELIVERIES_META,
  defaultRatePerMinute,
} from './alert-dispatcher.js';
export type { DeliveryOutcome } from './alert-dispatcher.js';
export { digestHeadline, renderNotice } from './alert-messages.js';
export type { AlertLanguage, AlertNotice, AlertSeverity } from './alert-messages.js';
export { alertSecretValues } from './alert-secrets.js';
export { dingtalkSign, dingtalkSignedUrl, feishuSign } from './alert-signatures.js';
export { alertFingerprint, alertMetaName, nextTransition, readFiring, writeFiring } from './alert-state.js';
export type { FiringState, Transition } from './alert-state.js';

/** Defaults of the `alerts:` section. */
export const DEFAULT_REPEAT_MS = 4 * 3_600_000;
export const DEFAULT_EVALUATE_EVERY_MS = 15_000;
/** How soon after a relevant runtime event rules are evaluated again, ms. */
export const EVENT_EVALUATION_DELAY_MS = 1_000;
const RELEVANT_EVENTS: ReadonlySet<RuntimeEvent['type']> = new Set([
  'cycle.finished',
  'dead-letter',
  'conflict',
  'reconcile.finished',
  'flow.paused',
  'flow.resumed',
]);

/** What {@link createAlerts} needs. */
export interface AlertsOptions {
  /** The parsed `alerts:` section. */
  readonly config: AlertsConfig;
  /** The flows and state store the rules are evaluated on (operations/flow-status.ts). */
  readonly operations: OperationsContext;
  /** The runtime of this process: its events trigger an evaluation soon after. */
  readonly runtime?: Runtime;
  readonly logger: Logger;
  /** Told about every delivery (for the `syncline_alerts_sent_total` metric); must not throw. */
  readonly onDelivery?: (channel: string, outcome: DeliveryOutcome) => void;
  /** Clock, epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** HTTP client of the channels; default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** E-mail sender; default nodemailer over the channel's `smtp` URL. */
  readonly sendMail?: MailSender;
  /** First retry delay of a failed delivery, ms; default 1 s (doubling, at most 30 s). */
  readonly retryDelayMs?: number;
  /** More secret values to mask in notices and logs (the connections' secrets). */
  readonly secrets?: readonly string[];
}

/** Alert rules evaluated on the flows, with notices sent to their channels. */
export interface Alerts {
  /** Evaluates every rule on every flow once and sends what changed (serialised: never two at once). */
  evaluate(): Promise<void>;
  /** Evaluates every `evaluateEvery`, and soon after relevant runtime events. */
  start(): void;
  /** Stops, then waits for the evaluation and deliveries in flight and sends held digests. */
  close(): Promise<void>;
}

interface CompiledRule {
  readonly name: string;
  readonly when: AlertCondition;
  readonly flows: readonly Flow[];
  readonly notify: readonly string[];
  readonly severity: AlertSeverity;
  readonly repeatMs: number;
}

function compileRules(config: AlertsConfig, flows: readonly Flow[], logger: Logger): CompiledRule[] {
  return config.rules.map((rule) => {
    // A disabled flow is watched only when a rule names it: it is stale on purpose.
    const chosen =
      rule.flows === undefined
        ? flows.filter((flow) => flow.enabled)
        : flows.filter((flow) => rule.flows?.includes(flow.name));
    for (const name of rule.flows ?? [])
      if (!flows.some((flow) => flow.name === name))
        logger.warn(`alert rule ${rule.name} names flow "${name}", which is not configured; it is left out`);
    return {
      name: rule.name,
      when: rule.when,
      flows: chosen,
      notify: rule.notify,
      severity: rule.severity ?? 'warning',
      repeatMs: rule.repeat ?? config.repeat ?? DEFAULT_REPEAT_MS,
    };
  });
}

/**
 * Alerts with Alertmanager's semantics over the operations layer: per rule and flow a fingerprint,
 * one notice when it starts firing, no repeat before `repeat`, one resolved notice when it clears.
 * The firing state is kept in the flow's meta (`alert.<rule>`), so a restart neither sends a
 * firing notice again nor forgets to resolve; each episode (firing, then resolved) is recorded in
 * the state store's alert history for the dashboard. See docs/alerts.md.
 */
export function createAlerts(options: AlertsOptions): Alerts {
  const { config, operations } = options;
  const logger = options.logger.child({ part: 'alerts' });
  const now = options.now ?? Date.now;
  const language: AlertLanguage = config.language ?? 'en';
  const secrets = [...alertSecretValues(config), ...(options.secrets ?? [])];
  const redact = (text: string): string => redactText(text, secrets);
  const rules = compileRules(config, operations.flows, logger);
  const dispatcher = new AlertDispatcher({
    channels: config.channels,
    language,
    state: operations.state,
    logger,
    deps: { fetch: options.fetch ?? fetch, sendMail: options.sendMail ?? smtpMailSender, now },
    secrets,
    retryDelayMs: options.retryDelayMs ?? 1_000,
    ...(options.onDelivery === undefined ? {} : { onDelivery: options.onDelivery }),
  });

  async function evaluateRule(rule: CompiledRule, flow: Flow, status: FlowStatus): Promise<void> {
    const at = now();
    const measurement = await measureCondition(rule.when, flow, status, operations.state, at);
    const previous = await readFiring(operations.state, flow.name, rule.name);
    const transition = nextTransition(previous, measurement?.isActive ?? false, at, rule.repeatMs);
    if (transition === 'none') return;
    const startsAt = previous?.startsAt ?? at;
    await writeFiring(
      operations.state,
      flow.name,
      rule.name,
      transition === 'resolve' ? undefined : { startsAt, lastNotifiedAt: at },
    );
    const noticeStatus = transition === 'resolve' ? 'resolved' : 'firing';
    const facts = {
      status: noticeStatus,
      rule: rule.name,
      flow: flow.name,
      kind: conditionKind(rule.when),
      severity: rule.severity,
      measurement,
      startsAt,
      ...(transition === 'resolve' ? { endsAt: at } : {}),
    } as const;
    const text = renderNotice(facts, language);
    const notice: AlertNotice = {
      status: noticeStatus,
      rule: rule.name,
      flow: flow.name,
      severity: rule.severity,
      fingerprint: alertFingerprint(rule.name, flow.name),
      value: measurement?.value,
      startsAt: new Date(startsAt).toISOString(),
      ...(transition === 'resolve' ? { endsAt: new Date(at).toISOString() } : {}),
      summary: redact(text.summary),
      description: redact(text.description),
      isRepeat: transition === 'repeat',
    };
    // The episode is kept for the dashboard's alerts page (firing, then resolved), beside the
    // firing state above; the notice's masked summary is what it shows.
    await operations.state.recordAlert({
      rule: rule.name,
      flow: flow.name,
      severity: rule.severity,
      status: noticeStatus,
      startsAt: notice.startsAt,
      ...(notice.endsAt === undefined ? {} : { endsAt: notice.endsAt }),
      summary: notice.summary,
    });
    logger.info(`alert ${notice.status}${notice.isRepeat ? ' (repeat)' : ''}: ${notice.summary}`, {
      rule: rule.name,
      flow: flow.name,
      fingerprint: notice.fingerprint,
    });
    await dispatcher.dispatch(notice, rule.notify);
  }

  async function evaluateOnce(): Promise<void> {
    const statuses = new Map((await flowStatuses(operations)).map((status) => [status.flow, status]));
    for (const rule of rules)
      for (const flow of rule.flows) {
        const status = statuses.get(flow.name);
        if (status === undefined) continue;
        try {
          await evaluateRule(rule, flow, status);
        } catch (error) {
          logger.warn(
            `alert rule ${rule.name} on flow ${flow.name} not evaluated: ${redact(error instanceof Error ? error.message : String(error))}`,
            {
              rule: rule.name,
              flow: flow.name,
            },
          );
        }
      }
    await dispatcher.flushDigests();
  }

  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  // One evaluation at a time; a call during one gets a single follow-up run, shared by all callers.
  function evaluate(): Promise<void> {
    if (running === undefined) {
      running = evaluateOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return evaluate();
      });
    return queued;
  }

  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let isClosed = false;
  const evaluateLogged = (): void => {
    evaluate().catch((error: unknown) => {
      logger.warn(`alerts not evaluated: ${redact(error instanceof Error ? error.message : String(error))}`);
    });
  };
  return {
    evaluate,
    start() {
      if (timer !== undefined || isClosed) return;
      timer = setInterval(evaluateLogged, config.evaluateEvery ?? DEFAULT_EVALUATE_EVERY_MS);
      timer.unref();
      unsubscribe = options.runtime?.subscribe((event) => {
        if (!RELEVANT_EVENTS.has(event.type) || soon !== undefined) return;
        soon = setTimeout(() => {
          soon = undefined;
          evaluateLogged();
        }, EVENT_EVALUATION_DELAY_MS);
        soon.unref();
      });
      evaluateLogged();
    },
    async close() {
      isClosed = true;
      clearInterval(timer);
      clearTimeout(soon);
      unsubscribe?.();
      await running?.catch(() => undefined);
      await dispatcher.close();
    },
  };
}

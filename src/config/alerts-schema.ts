import { z } from 'zod';
import { durationMs, positiveDurationMs } from './duration-schema.js';
import { secretString } from './secret.js';
import { secretUrl } from './url-password.js';

const channelName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter');
const httpUrl = secretUrl({ protocols: ['http:', 'https:'], message: 'must be an http:// or https:// URL' });

/** Notices per minute a channel sends before it folds the rest into one digest. */
const ratePerMinute = z.number().int().min(1).max(600).optional();

/** Where notices go; every URL and secret is a Secret (tokens often sit in the URL). */
const channel = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: httpUrl,
    headers: z.record(z.string(), secretString).optional(),
    ratePerMinute,
  }),
  z.strictObject({
    type: z.literal('dingtalk'),
    url: httpUrl,
    secret: secretString.optional(),
    ratePerMinute,
  }),
  z.strictObject({ type: z.literal('wecom'), url: httpUrl, ratePerMinute }),
  z.strictObject({ type: z.literal('feishu'), url: httpUrl, secret: secretString.optional(), ratePerMinute }),
  z.strictObject({ type: z.literal('slack'), url: httpUrl, ratePerMinute }),
  z.strictObject({
    type: z.literal('email'),
    /** `smtp://user:password@host:587` or `smtps://…:465`. */
    smtp: secretString,
    from: z.string().min(3),
    to: z.array(z.string().min(3)).nonempty(),
    ratePerMinute,
  }),
]);
export type AlertChannelConfig = z.infer<typeof channel>;

const over = z.strictObject({ over: z.number().nonnegative() });
const longerThan = z.strictObject({ longerThan: durationMs });

/** What makes a rule fire, per flow: exactly one condition. */
const condition = z.union([
  z.strictObject({
    /** The target's copy is older than this (`over`), or than the flow's `cadence.freshness` (`objective`). */
    freshness: z.union([z.strictObject({ over: positiveDurationMs }), z.literal('objective')]),
  }),
  /** The last `over` + 1 cycles failed in a row (`over: 0`: the last cycle failed). */
  z.strictObject({ failedCycles: over }),
  /** Share of failed cycles (0–1) among the flow's cycles of the last 15 minutes. */
  z.strictObject({ errorRate: z.strictObject({ over: z.number().min(0).max(1) }) }),
  z.strictObject({ deadLetters: over }),
  z.strictObject({ conflicts: over }),
  /** The last reconcile found more than this many differences. */
  z.strictObject({ reconcileDrift: over }),
  /** The adaptive controller has held the flow slower than configured for longer than this. */
  z.strictObject({ backoff: longerThan }),
  z.strictObject({ paused: longerThan }),
]);
export type AlertCondition = z.infer<typeof condition>;

const rule = z.strictObject({
  name: channelName,
  when: condition,
  /** Only these flows; default every flow. */
  flows: z.array(z.string()).nonempty().optional(),
  notify: z.array(channelName).nonempty(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  /** A firing alert is notified again after this long. Default the section's `repeat`. */
  repeat: positiveDurationMs.optional(),
});
export type AlertRuleConfig = z.infer<typeof rule>;

/** The `alerts:` section (docs/alerts.md). */
export const alertsSchema = z
  .strictObject({
    /** Language of the notices: `en` (default) or `zh-CN`. */
    language: z.enum(['en', 'zh-CN']).optional(),
    /** A firing alert is notified again after this long. Default 4h. */
    repeat: positiveDurationMs.optional(),
    /** How often rules are evaluated. Default 15s. */
    evaluateEvery: positiveDurationMs.optional(),
    channels: z.record(channelName, channel),
    rules: z.array(rule),
  })
  .superRefine((alerts, context) => {
    const names = new Set<string>();
    for (const [index, entry] of alerts.rules.entries()) {
      if (names.has(entry.name))
        context.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `another rule is named "${entry.name}"`,
        });
      names.add(entry.name);
      for (const [position, target] of entry.notify.entries())
        if (!(target in alerts.channels))
          context.addIssue({
            code: 'custom',
            path: ['rules', index, 'notify', position],
            message: `no channel named "${target}" under alerts.channels (have: ${Object.keys(alerts.channels).join(', ') || 'none'})`,
          });
    }
  });
export type AlertsConfig = z.infer<typeof alertsSchema>;

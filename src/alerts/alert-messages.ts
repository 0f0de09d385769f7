import { formatDuration } from '../config/duration.js';
import type { ConditionKind, Measurement } from './alert-conditions.js';

/** Language of the notices (`alerts.language`). */
export type AlertLanguage = 'en' | 'zh-CN';
/** How urgent a rule is (`severity`, default `warning`). */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One notice about one alert (a rule on a flow): it started firing, is still firing, or resolved. */
export interface AlertNotice {
  readonly status: 'firing' | 'resolved';
  readonly rule: string;
  readonly flow: string;
  readonly severity: AlertSeverity;
  /** Stable per rule and flow (hex). */
  readonly fingerprint: string;
  /** The measured value (count, share 0–1 or ms; see docs/alerts.md); undefined when unmeasurable. */
  readonly value: number | undefined;
  /** When the alert started firing, ISO 8601. */
  readonly startsAt: string;
  /** When it resolved, ISO 8601 (resolved notices only). */
  readonly endsAt?: string;
  /** One line: `[FIRING] dead-letters · flow orders: 3 open dead letters (over 0)`. */
  readonly summary: string;
  /** A few lines: severity, since when, what to do. */
  readonly description: string;
  /** A reminder sent after `repeat` while the alert still fires. */
  readonly isRepeat: boolean;
}

const duration = (ms: number): string => formatDuration(Math.max(0, ms));
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

function measuredEn(m: Measurement): string {
  switch (m.kind) {
    case 'freshness':
      return `last successful cycle ${duration(m.value)} ago (${m.isObjective === true ? 'objective' : 'over'} ${duration(m.threshold)})`;
    case 'failedCycles':
      return `last ${m.value} cycles failed in a row (over ${m.threshold})`;
    case 'errorRate':
      return `${percent(m.value)} of cycles failed in the last 15 min (over ${percent(m.threshold)})`;
    case 'deadLetters':
      return `${m.value} open dead letters (over ${m.threshold})`;
    case 'conflicts':
      return `${m.value} open conflicts (over ${m.threshold})`;
    case 'reconcileDrift':
      return `last reconcile found ${m.value} differences (over ${m.threshold})`;
    case 'backoff':
      return `held slower than configured for ${duration(m.value)} (longer than ${duration(m.threshold)}): every ${duration(m.intervalMs ?? 0)} instead of ${duration(m.configuredIntervalMs ?? 0)}`;
    case 'paused':
      return `paused by ${m.by ?? 'unknown'} for ${duration(m.value)} (longer than ${duration(m.threshold)})`;
  }
}

function measuredZh(m: Measurement): string {
  switch (m.kind) {
    case 'freshness':
      return `距上次成功同步已 ${duration(m.value)}（${m.isObjective === true ? '目标' : '阈值'} ${duration(m.threshold)}）`;
    case 'failedCycles':
      return `最近 ${m.value} 个周期连续失败（阈值 ${m.threshold}）`;
    case 'errorRate':
      return `最近 15 分钟 ${percent(m.value)} 的周期失败（阈值 ${percent(m.threshold)}）`;
    case 'deadLetters':
      return `${m.value} 条死信未处理（阈值 ${m.threshold}）`;
    case 'conflicts':
      return `${m.value} 条冲突未解决（阈值 ${m.threshold}）`;
    case 'reconcileDrift':
      return `最近一次对账发现 ${m.value} 处差异（阈值 ${m.threshold}）`;
    case 'backoff':
      return `自适应降速已持续 ${duration(m.value)}（阈值 ${duration(m.threshold)}）：当前间隔 ${duration(m.intervalMs ?? 0)}，配置为 ${duration(m.configuredIntervalMs ?? 0)}`;
    case 'paused':
      return `已被 ${m.by ?? '未知'} 暂停 ${duration(m.value)}（阈值 ${duration(m.threshold)}）`;
  }
}

const HINTS: Record<ConditionKind, Record<AlertLanguage, string>> = {
  freshness: {
    en: "Check the flow's last runs: `syncline status`.",
    'zh-CN': '请查看同步流最近的运行：`syncline status`。',
  },
  failedCycles: {
    en: 'See the error of the last run: `syncline status`.',
    'zh-CN': '请查看最近一次运行的错误：`syncline status`。',
  },
  errorRate: {
    en: 'See the errors of recent runs: `syncline status`.',
    'zh-CN': '请查看最近运行的错误：`syncline status`。',
  },
  deadLetters: {
    en: 'Fix the records, then `syncline dlq replay`.',
    'zh-CN': '修正记录后执行 `syncline dlq replay`。',
  },
  conflicts: {
    en: 'Resolve them: `syncline conflicts list`.',
    'zh-CN': '请处理冲突：`syncline conflicts list`。',
  },
  reconcileDrift: {
    en: 'Repair with `syncline reconcile --repair`.',
    'zh-CN': '可执行 `syncline reconcile --repair` 修复。',
  },
  backoff: {
    en: 'The target is struggling; see `syncline status`.',
    'zh-CN': '目标系统压力较大，请查看 `syncline status`。',
  },
  paused: { en: 'Resume it when ready.', 'zh-CN': '处理完毕后请恢复同步流。' },
};

/** What a notice is about, for {@link renderNotice}. */
export interface NoticeFacts {
  readonly status: 'firing' | 'resolved';
  readonly rule: string;
  readonly flow: string;
  readonly kind: ConditionKind;
  readonly severity: AlertSeverity;
  readonly measurement: Measurement | undefined;
  readonly startsAt: number;
  readonly endsAt?: number;
}

/** The summary line and description of a notice, in the configured language. */
export function renderNotice(
  facts: NoticeFacts,
  language: AlertLanguage,
): { summary: string; description: string } {
  const isZh = language === 'zh-CN';
  const measured =
    facts.measurement === undefined
      ? undefined
      : isZh
        ? measuredZh(facts.measurement)
        : measuredEn(facts.measurement);
  const head = isZh ? `${facts.rule} · 同步流 ${facts.flow}：` : `${facts.rule} · flow ${facts.flow}: `;
  const since = new Date(facts.startsAt).toISOString();
  if (facts.status === 'firing') {
    const summary = `${isZh ? '[告警]' : '[FIRING]'} ${head}${measured ?? ''}`;
    const description = isZh
      ? `级别：${facts.severity}\n开始于：${since}\n${HINTS[facts.kind][language]}`
      : `Severity: ${facts.severity}\nFiring since: ${since}\n${HINTS[facts.kind].en}`;
    return { summary, description };
  }
  const lasted = duration((facts.endsAt ?? facts.startsAt) - facts.startsAt);
  const now = measured === undefined ? '' : isZh ? `；当前：${measured}` : `; now: ${measured}`;
  const summary = isZh
    ? `[已恢复] ${head}告警已恢复，持续 ${lasted}${now}`
    : `[RESOLVED] ${head}back to normal after ${lasted}${now}`;
  const description = isZh
    ? `级别：${facts.severity}\n开始于：${since}`
    : `Severity: ${facts.severity}\nFiring since: ${since}`;
  return { summary, description };
}

/** The first line of a digest of notices held back by a channel's rate limit. */
export function digestHeadline(count: number, language: AlertLanguage): string {
  return language === 'zh-CN'
    ? `[汇总] 因发送频率限制合并的 ${count} 条告警通知`
    : `[DIGEST] ${count} notices held back by the rate limit`;
}

import { createTransport } from 'nodemailer';
import type { AlertChannelConfig } from '../config/alerts-schema.js';
import type { AlertNotice } from './alert-messages.js';
import { dingtalkSignedUrl, feishuSign } from './alert-signatures.js';

/** What one delivery to one channel carries: one notice, or a digest of notices held back. */
export interface ChannelMessage {
  readonly notices: readonly AlertNotice[];
  readonly isDigest: boolean;
  /** First line: the notice's summary, or the digest's headline. */
  readonly headline: string;
  /** The rest: the notice's description, or one summary per line. */
  readonly body: string;
}

/** A delivery that failed; `isRetryable` for network errors, HTTP 5xx and 429. */
export class AlertDeliveryError extends Error {
  /** Whether trying again may help. */
  readonly isRetryable: boolean;
  /** The HTTP status, when the channel answered. */
  readonly status: number | undefined;

  constructor(message: string, options: { isRetryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'AlertDeliveryError';
    this.isRetryable = options.isRetryable;
    this.status = options.status;
  }
}

/** Sends one e-mail; nodemailer's SMTP transport unless a test passes its own. */
export type MailSender = (
  smtpUrl: string,
  mail: { from: string; to: readonly string[]; subject: string; text: string },
) => Promise<void>;

/** What channels need from outside: HTTP, mail and the clock. */
export interface ChannelDeps {
  readonly fetch: typeof fetch;
  readonly sendMail: MailSender;
  readonly now: () => number;
}

/** Mail through nodemailer's SMTP transport built from the `smtp` URL. */
export const smtpMailSender: MailSender = async (smtpUrl, mail) => {
  const transport = createTransport(smtpUrl);
  try {
    await transport.sendMail({ from: mail.from, to: [...mail.to], subject: mail.subject, text: mail.text });
  } finally {
    transport.close();
  }
};

/** The generic webhook's JSON for one notice (Alertmanager-like field names). */
export function webhookNotice(notice: AlertNotice): Record<string, unknown> {
  return {
    status: notice.status,
    rule: notice.rule,
    flow: notice.flow,
    severity: notice.severity,
    fingerprint: notice.fingerprint,
    value: notice.value ?? null,
    summary: notice.summary,
    description: notice.description,
    startsAt: notice.startsAt,
    ...(notice.endsAt === undefined ? {} : { endsAt: notice.endsAt }),
    repeat: notice.isRepeat,
  };
}

function webhookBody(message: ChannelMessage, at: number): Record<string, unknown> {
  const [only] = message.notices;
  if (!message.isDigest && only !== undefined) return webhookNotice(only);
  return {
    status: message.notices.some((notice) => notice.status === 'firing') ? 'firing' : 'resolved',
    rule: '*',
    flow: '*',
    summary: message.headline,
    description: message.body,
    startsAt: new Date(at).toISOString(),
    digest: true,
    alerts: message.notices.map(webhookNotice),
  };
}

const markdownText = (message: ChannelMessage): string =>
  `### ${message.headline}\n\n${message.body.split('\n').join('\n\n')}`;

function wecomMarkdown(message: ChannelMessage): string {
  const isFiring = message.notices.some((notice) => notice.status === 'firing');
  return `<font color="${isFiring ? 'warning' : 'info'}">**${message.headline}**</font>\n>${message.body.split('\n').join('\n>')}`;
}

/** The request a channel sends over HTTP: URL (signed where the vendor wants it) and JSON body. */
export function httpRequestFor(
  channel: Exclude<AlertChannelConfig, { type: 'email' }>,
  message: ChannelMessage,
  at: number,
): { url: string; body: unknown; headers: Record<string, string> } {
  const url = channel.url.reveal();
  switch (channel.type) {
    case 'webhook': {
      const headers = Object.fromEntries(
        Object.entries(channel.headers ?? {}).map(([name, value]) => [name, value.reveal()]),
      );
      return { url, headers, body: webhookBody(message, at) };
    }
    case 'dingtalk':
      return {
        url: channel.secret === undefined ? url : dingtalkSignedUrl(url, channel.secret.reveal(), at),
        headers: {},
        body: { msgtype: 'markdown', markdown: { title: message.headline, text: markdownText(message) } },
      };
    case 'wecom':
      return {
        url,
        headers: {},
        body: { msgtype: 'markdown', markdown: { content: wecomMarkdown(message) } },
      };
    case 'feishu': {
      const seconds = Math.floor(at / 1000);
      const signature =
        channel.secret === undefined
          ? {}
          : { timestamp: String(seconds), sign: feishuSign(channel.secret.reveal(), seconds) };
      return {
        url,
        headers: {},
        body: { ...signature, msg_type: 'text', content: { text: `${message.headline}\n${message.body}` } },
      };
    }
    case 'slack':
      return { url, headers: {}, body: { text: `*${message.headline}*\n${message.body}` } };
  }
}

/** A vendor's error inside an HTTP 200: DingTalk and WeCom `errcode`, Feishu `code`; undefined when fine. */
export function vendorError(type: AlertChannelConfig['type'], text: string): string | undefined {
  if (type !== 'dingtalk' && type !== 'wecom' && type !== 'feishu') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `answer is not JSON: ${text.slice(0, 200)}`;
  }
  if (parsed === null || typeof parsed !== 'object') return `unexpected answer: ${text.slice(0, 200)}`;
  const answer = parsed as Record<string, unknown>;
  const code = type === 'feishu' ? (answer.code ?? answer.StatusCode) : answer.errcode;
  if (code === undefined || code === 0) return undefined;
  const reason = type === 'feishu' ? (answer.msg ?? answer.StatusMessage) : answer.errmsg;
  return `${type} refused the notice: code ${JSON.stringify(code)}${typeof reason === 'string' ? ` (${reason})` : ''}`;
}

/** Delivers one message to one channel once; throws an {@link AlertDeliveryError} when it fails. */
export async function sendToChannel(
  channel: AlertChannelConfig,
  message: ChannelMessage,
  deps: ChannelDeps,
): Promise<void> {
  if (channel.type === 'email') {
    try {
      await deps.sendMail(channel.smtp.reveal(), {
        from: channel.from,
        to: channel.to,
        subject: message.headline,
        text: `${message.headline}\n\n${message.body}\n`,
      });
    } catch (error) {
      throw new AlertDeliveryError(
        `e-mail not sent: ${error instanceof Error ? error.message : String(error)}`,
        {
          isRetryable: true,
          cause: error,
        },
      );
    }
    return;
  }
  const request = httpRequestFor(channel, message, deps.now());
  let response: Response;
  try {
    response = await deps.fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`
        : String(error);
    throw new AlertDeliveryError(`${channel.type} not reached: ${reason}`, {
      isRetryable: true,
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok) {
    const status = response.status;
    throw new AlertDeliveryError(`${channel.type} answered HTTP ${status}: ${text.slice(0, 200)}`, {
      isRetryable: status >= 500 || status === 429,
      status,
    });
  }
  const refused = vendorError(channel.type, text);
  if (refused !== undefined)
    throw new AlertDeliveryError(refused, { isRetryable: false, status: response.status });
}

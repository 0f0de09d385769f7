import { describe, expect, it } from 'vitest';
import { alertsSchema } from '../config/alerts-schema.js';
import type { LogFields, Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import type { MailSender } from './alert-channels.js';
import { AlertDispatcher, type DeliveryOutcome } from './alert-dispatcher.js';
import type { AlertNotice } from './alert-messages.js';
import { alertSecretValues } from './alert-secrets.js';
import { feishuSign, dingtalkSign } from './alert-signatures.js';

const DING_TOKEN = 'ding-access-token-0001';
const DING_SECRET = 'SECdingsecret0001';
const FEISHU_SECRET = 'feishu-secret-0001';
const SLACK_TOKEN = 'XXXXslacktokenXXXX';
const SMTP_PASSWORD = 'smtp-pass-0001';

const config = alertsSchema.parse({
  channels: {
    ops: { type: 'webhook', url: 'http://127.0.0.1:9099/hook', ratePerMinute: 2 },
    dd: {
      type: 'dingtalk',
      url: `https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`,
      secret: DING_SECRET,
    },
    wx: { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-0001' },
    fs: {
      type: 'feishu',
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-hook-0001',
      secret: FEISHU_SECRET,
    },
    sl: { type: 'slack', url: `https://hooks.slack.com/services/T0000/B0000/${SLACK_TOKEN}` },
    mail: {
      type: 'email',
      smtp: `smtp://user:${SMTP_PASSWORD}@smtp.example.com:587`,
      from: 'a@example.com',
      to: ['b@example.com'],
    },
  },
  rules: [],
});
const SECRETS = [
  DING_TOKEN,
  DING_SECRET,
  FEISHU_SECRET,
  SLACK_TOKEN,
  SMTP_PASSWORD,
  'wecom-key-0001',
  'feishu-hook-0001',
];

function notice(index: number, status: AlertNotice['status'] = 'firing'): AlertNotice {
  return {
    status,
    rule: 'dead-letters',
    flow: `flow${index}`,
    severity: 'warning',
    fingerprint: `fp${index}`,
    value: index,
    startsAt: '2026-12-03T08:00:00.000Z',
    summary: `[FIRING] dead-letters · flow flow${index}: ${index} open dead letters (over 0)`,
    description: 'Severity: warning',
    isRepeat: false,
  };
}

type Answer = { status: number; body: string } | Error;

interface Harness {
  dispatcher: AlertDispatcher;
  requests: { url: string; body: Record<string, unknown> }[];
  outcomes: [string, DeliveryOutcome][];
  meta: Map<string, JsonValue>;
  lines: string[];
  mails: Parameters<MailSender>[];
  clock: { now: number };
}

function harness(answers: Answer[] = [], mailFailure?: Error): Harness {
  const requests: Harness['requests'] = [];
  const outcomes: Harness['outcomes'] = [];
  const meta = new Map<string, JsonValue>();
  const lines: string[] = [];
  const mails: Harness['mails'] = [];
  const clock = { now: Date.parse('2026-12-03T08:00:00Z') };
  const fetchFake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({
      url: input instanceof Request ? input.url : input.toString(),
      body: JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Record<string, unknown>,
    });
    const answer = answers.shift() ?? { status: 200, body: '{"errcode":0,"code":0}' };
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(new Response(answer.body, { status: answer.status }));
  };
  const log = (message: string, fields?: LogFields): void => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  const state = {
    getFlowMeta: (flow: string, name: string) => Promise.resolve(meta.get(`${flow}/${name}`)),
    setFlowMeta: (flow: string, name: string, value: JsonValue) => {
      meta.set(`${flow}/${name}`, value);
      return Promise.resolve();
    },
  } as unknown as StateStore;
  const dispatcher = new AlertDispatcher({
    channels: config.channels,
    language: 'en',
    state,
    logger,
    deps: {
      fetch: fetchFake,
      now: () => clock.now,
      sendMail: (smtp, mail) => {
        mails.push([smtp, mail]);
        return mailFailure === undefined ? Promise.resolve() : Promise.reject(mailFailure);
      },
    },
    secrets: alertSecretValues(config),
    retryDelayMs: 1,
    onDelivery: (channel, outcome) => outcomes.push([channel, outcome]),
  });
  return { dispatcher, requests, outcomes, meta, lines, mails, clock };
}

describe('alert dispatcher: rate limit and digest', () => {
  it('sends up to ratePerMinute, then folds the rest into one digest once the window allows', async () => {
    const h = harness();
    for (let index = 1; index <= 5; index += 1) await h.dispatcher.dispatch(notice(index), ['ops']);
    expect(h.requests).toHaveLength(2);
    expect(h.outcomes.map(([, outcome]) => outcome)).toEqual([
      'sent',
      'sent',
      'suppressed',
      'suppressed',
      'suppressed',
    ]);
    h.clock.now += 30_000;
    await h.dispatcher.flushDigests();
    expect(h.requests).toHaveLength(2);
    h.clock.now += 30_001;
    await h.dispatcher.flushDigests();
    await h.dispatcher.flushDigests();
    expect(h.requests).toHaveLength(3);
    const digest = h.requests[2]?.body;
    expect(digest).toMatchObject({
      status: 'firing',
      digest: true,
      summary: '[DIGEST] 3 notices held back by the rate limit',
    });
    expect((digest?.alerts as { flow: string }[]).map((entry) => entry.flow)).toEqual([
      'flow3',
      'flow4',
      'flow5',
    ]);
    await h.dispatcher.close();
    const recorded = h.meta.get('alerts/deliveries') as { outcome: string; digest?: boolean }[];
    expect(recorded.map((entry) => entry.outcome)).toEqual([
      'sent',
      'sent',
      'suppressed',
      'suppressed',
      'suppressed',
      'sent',
      'sent',
      'sent',
    ]);
    expect(recorded.filter((entry) => entry.digest === true)).toHaveLength(3);
  });

  it('defaults to 20 a minute for DingTalk and sends held digests on close', async () => {
    const h = harness();
    for (let index = 1; index <= 22; index += 1) await h.dispatcher.dispatch(notice(index), ['dd']);
    expect(h.requests).toHaveLength(20);
    await h.dispatcher.close();
    expect(h.requests).toHaveLength(21);
    expect((h.requests[20]?.body.markdown as { title: string }).title).toBe(
      '[DIGEST] 2 notices held back by the rate limit',
    );
  });
});

describe('alert dispatcher: retries and failures', () => {
  it('retries a 5xx and a 429 up to three attempts', async () => {
    const h = harness([
      { status: 503, body: 'busy' },
      { status: 429, body: 'slow down' },
    ]);
    await h.dispatcher.dispatch(notice(1), ['sl']);
    expect(h.requests).toHaveLength(3);
    expect(h.outcomes).toEqual([['sl', 'sent']]);
  });

  it('does not retry a 4xx other than 429, and records the failure without secrets', async () => {
    const h = harness([{ status: 404, body: `no_service for ${SLACK_TOKEN}` }]);
    await h.dispatcher.dispatch(notice(1), ['sl']);
    await h.dispatcher.close();
    expect(h.requests).toHaveLength(1);
    expect(h.outcomes).toEqual([['sl', 'failed']]);
    const [entry] = h.meta.get('alerts/deliveries') as {
      outcome: string;
      error: string;
      httpStatus: number;
    }[];
    expect(entry).toMatchObject({ outcome: 'failed', httpStatus: 404 });
    expect(entry?.error).toContain('slack answered HTTP 404');
    expect(entry?.error).not.toContain(SLACK_TOKEN);
  });

  it('treats a vendor error code in an HTTP 200 as a failure', async () => {
    const h = harness([
      { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' },
      { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' },
      { status: 200, body: '{"code":19021,"msg":"sign match fail","data":{}}' },
    ]);
    await h.dispatcher.dispatch(notice(1), ['dd', 'wx', 'fs']);
    expect(h.requests).toHaveLength(3);
    expect(h.outcomes.map(([, outcome]) => outcome)).toEqual(['failed', 'failed', 'failed']);
  });

  it('gives up after three network failures and masks the secrets of the message', async () => {
    const failure = new Error(`connect ECONNREFUSED for access_token=${DING_TOKEN}`);
    const h = harness([failure, failure, failure]);
    await h.dispatcher.dispatch(notice(1), ['dd']);
    await h.dispatcher.close();
    expect(h.requests).toHaveLength(3);
    const text = JSON.stringify([...h.meta.values()]) + h.lines.join('\n');
    expect(text).toContain('ECONNREFUSED');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

describe('alert channels: payloads per the vendors', () => {
  it('signs DingTalk in the URL and Feishu in the body, and shapes WeCom, Slack and e-mail', async () => {
    const h = harness();
    const before = h.clock.now;
    await h.dispatcher.dispatch(notice(1), ['dd', 'wx', 'fs', 'sl', 'mail']);
    const [dd, wx, fs, sl] = h.requests;
    const url = new URL(dd?.url ?? '');
    expect(url.searchParams.get('access_token')).toBe(DING_TOKEN);
    expect(url.searchParams.get('timestamp')).toBe(String(before));
    expect(url.searchParams.get('sign')).toBe(dingtalkSign(DING_SECRET, before));
    expect(dd?.body).toMatchObject({ msgtype: 'markdown', markdown: { title: notice(1).summary } });
    expect(wx?.body).toMatchObject({ msgtype: 'markdown' });
    expect((wx?.body.markdown as { content: string }).content).toContain('<font color="warning">');
    const seconds = Math.floor(before / 1000);
    expect(fs?.body).toMatchObject({
      timestamp: String(seconds),
      sign: feishuSign(FEISHU_SECRET, seconds),
      msg_type: 'text',
      content: { text: `${notice(1).summary}\nSeverity: warning` },
    });
    expect(sl?.body).toEqual({ text: `*${notice(1).summary}*\nSeverity: warning` });
    expect(h.mails).toHaveLength(1);
    expect(h.mails[0]?.[1]).toMatchObject({ subject: notice(1).summary, to: ['b@example.com'] });
  });

  it('retries a failed e-mail and masks the SMTP password', async () => {
    const h = harness([], new Error(`auth failed for smtp://user:${SMTP_PASSWORD}@smtp.example.com`));
    await h.dispatcher.dispatch(notice(1), ['mail']);
    await h.dispatcher.close();
    expect(h.mails).toHaveLength(3);
    const text = JSON.stringify([...h.meta.values()]) + h.lines.join('\n');
    expect(text).toContain('auth failed');
    expect(text).not.toContain(SMTP_PASSWORD);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { alertsSchema, type AlertsConfig } from '../config/alerts-schema.js';
import { compileFlow, type Flow } from '../core/flow.js';
import { silentLogger } from '../core/logger.js';
import type { AlertEpisodeInput } from '../core/alert-history.js';
import type { StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import type { OperationsContext } from '../operations/operations-context.js';
import type { Runtime, RuntimeEvent, RuntimeSubscriber } from '../runtime/runtime.js';
import { createAlerts, type Alerts } from './alerts.js';

const T0 = Date.parse('2026-12-03T08:00:00Z');
const HOUR = 3_600_000;

function ordersFlow(): Flow {
  return compileFlow('orders', {
    source: {
      connection: 'crm',
      table: 'orders',
      key: 'id',
      cursor: 'version',
      lookback: { ms: 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'sales_orders', key: 'crm_id' },
    batch: 100,
    fields: { name: 'name' },
    retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
}

/** A state store with what alerts read: open dead letters of `orders`, flow meta; nothing else. */
class FakeState {
  readonly meta = new Map<string, JsonValue>();
  /** Every alert episode recorded, in order. */
  readonly episodes: AlertEpisodeInput[] = [];
  openDeadLetters = 0;
  readonly store = {
    recordAlert: (episode: AlertEpisodeInput) => {
      this.episodes.push(episode);
      return Promise.resolve();
    },
    listRuns: () => Promise.resolve([]),
    lastSuccessfulRun: () => Promise.resolve(undefined),
    countDeadLetters: () => Promise.resolve(this.openDeadLetters),
    countConflicts: () => Promise.resolve(0),
    getCheckpoint: () => Promise.resolve(undefined),
    getFlowMeta: (flow: string, name: string) => Promise.resolve(this.meta.get(`${flow}/${name}`)),
    setFlowMeta: (flow: string, name: string, value: JsonValue) => {
      this.meta.set(`${flow}/${name}`, value);
      return Promise.resolve();
    },
  } as unknown as StateStore;
}

interface Received {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

function receiver(): { fetch: typeof fetch; received: Received[] } {
  const received: Received[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    received.push({
      url: input instanceof Request ? input.url : input.toString(),
      body: JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Record<string, unknown>,
    });
    return Promise.resolve(new Response('ok'));
  };
  return { fetch: fake, received };
}

function config(extra: Partial<Record<'language' | 'repeat', string>> = {}): AlertsConfig {
  return alertsSchema.parse({
    ...extra,
    channels: { ops: { type: 'webhook', url: 'http://127.0.0.1:9099/hook?token=hook-token-123456' } },
    rules: [
      { name: 'dead-letters', when: { deadLetters: { over: 0 } }, notify: ['ops'], severity: 'critical' },
    ],
  });
}

let clock = T0;
const opened: Alerts[] = [];

function alertsOn(
  state: FakeState,
  fetchFake: typeof fetch,
  options: { config?: AlertsConfig; runtime?: Runtime } = {},
): Alerts {
  const operations: OperationsContext = {
    flows: [ordersFlow()],
    state: state.store,
    logger: silentLogger,
    portsFor: () => {
      throw new Error('not used');
    },
    connector: () => {
      throw new Error('not used');
    },
    now: () => clock,
  };
  const alerts = createAlerts({
    config: options.config ?? config(),
    operations,
    logger: silentLogger,
    fetch: fetchFake,
    now: () => clock,
    retryDelayMs: 1,
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
  });
  opened.push(alerts);
  return alerts;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((alerts) => alerts.close()));
  clock = T0;
  vi.useRealTimers();
});

describe('alerts: Alertmanager semantics', () => {
  it('fires once, sends nothing more while firing, then one resolved notice', async () => {
    const state = new FakeState();
    const { fetch, received } = receiver();
    const alerts = alertsOn(state, fetch);
    await alerts.evaluate();
    expect(received).toEqual([]);

    state.openDeadLetters = 3;
    await alerts.evaluate();
    clock += 60_000;
    await alerts.evaluate();
    clock += 60_000;
    await alerts.evaluate();
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toMatchObject({
      status: 'firing',
      rule: 'dead-letters',
      flow: 'orders',
      severity: 'critical',
      value: 3,
      summary: '[FIRING] dead-letters · flow orders: 3 open dead letters (over 0)',
      startsAt: new Date(T0).toISOString(),
      repeat: false,
    });
    expect(received[0]?.body.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    state.openDeadLetters = 0;
    clock += 60_000;
    await alerts.evaluate();
    await alerts.evaluate();
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toMatchObject({
      status: 'resolved',
      fingerprint: received[0]?.body.fingerprint,
      startsAt: new Date(T0).toISOString(),
      endsAt: new Date(T0 + 180_000).toISOString(),
      summary:
        '[RESOLVED] dead-letters · flow orders: back to normal after 3m; now: 0 open dead letters (over 0)',
    });
  });

  it('records the episode in the alert history: firing, then resolved under the same start', async () => {
    const state = new FakeState();
    const alerts = alertsOn(state, receiver().fetch);
    state.openDeadLetters = 2;
    await alerts.evaluate();
    state.openDeadLetters = 0;
    clock += 60_000;
    await alerts.evaluate();
    const startsAt = new Date(T0).toISOString();
    expect(state.episodes).toEqual([
      expect.objectContaining({ rule: 'dead-letters', flow: 'orders', severity: 'critical', status: 'firing', startsAt }),
      expect.objectContaining({ status: 'resolved', startsAt, endsAt: new Date(T0 + 60_000).toISOString() }),
    ]);
    expect(state.episodes[1]?.summary).toContain('[RESOLVED] dead-letters');
  });

  it('repeats a firing notice after `repeat`, not before', async () => {
    const state = new FakeState();
    const { fetch, received } = receiver();
    const alerts = alertsOn(state, fetch, { config: config({ repeat: '1h' }) });
    state.openDeadLetters = 1;
    await alerts.evaluate();
    clock += HOUR - 1;
    await alerts.evaluate();
    expect(received).toHaveLength(1);
    clock += 1;
    await alerts.evaluate();
    clock += 1_000;
    await alerts.evaluate();
    expect(received.map((entry) => [entry.body.status, entry.body.repeat])).toEqual([
      ['firing', false],
      ['firing', true],
    ]);
  });

  it('neither sends the firing notice again nor forgets to resolve after a restart', async () => {
    const state = new FakeState();
    const { fetch, received } = receiver();
    state.openDeadLetters = 2;
    const first = alertsOn(state, fetch);
    await first.evaluate();
    await first.close();
    expect(state.meta.get('orders/alert.dead-letters')).toMatchObject({ status: 'firing' });

    clock += 10 * 60_000;
    const second = alertsOn(state, fetch);
    await second.evaluate();
    expect(received).toHaveLength(1);
    state.openDeadLetters = 0;
    await second.evaluate();
    expect(received.map((entry) => entry.body.status)).toEqual(['firing', 'resolved']);
    expect(received[1]?.body.startsAt).toBe(new Date(T0).toISOString());
    expect(state.meta.get('orders/alert.dead-letters')).toBeNull();
  });

  it('words notices in zh-CN when configured', async () => {
    const state = new FakeState();
    const { fetch, received } = receiver();
    const alerts = alertsOn(state, fetch, { config: config({ language: 'zh-CN' }) });
    state.openDeadLetters = 3;
    await alerts.evaluate();
    state.openDeadLetters = 0;
    clock += 5 * 60_000;
    await alerts.evaluate();
    expect(received.map((entry) => entry.body.summary)).toEqual([
      '[告警] dead-letters · 同步流 orders：3 条死信未处理（阈值 0）',
      '[已恢复] dead-letters · 同步流 orders：告警已恢复，持续 5m；当前：0 条死信未处理（阈值 0）',
    ]);
  });

  it('records each delivery in the pseudo-flow `alerts`', async () => {
    const state = new FakeState();
    const { fetch } = receiver();
    const alerts = alertsOn(state, fetch);
    state.openDeadLetters = 1;
    await alerts.evaluate();
    await alerts.close();
    expect(state.meta.get('alerts/deliveries')).toEqual([
      {
        channel: 'ops',
        rule: 'dead-letters',
        flow: 'orders',
        status: 'firing',
        outcome: 'sent',
        at: new Date(T0).toISOString(),
      },
    ]);
  });

  it('evaluates soon after a relevant runtime event once started', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const listeners: RuntimeSubscriber[] = [];
    const runtime = {
      subscribe: (listener: RuntimeSubscriber) => {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    } as unknown as Runtime;
    const state = new FakeState();
    const { fetch, received } = receiver();
    const alerts = alertsOn(state, fetch, { runtime });
    alerts.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(received).toHaveLength(0);
    state.openDeadLetters = 1;
    const event: RuntimeEvent = {
      type: 'dead-letter',
      flow: 'orders',
      key: '7',
      kind: 'write',
      code: 'X',
      reason: 'refused',
      at: clock,
    };
    for (const listener of listeners) listener(event);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(received).toHaveLength(1);
    await alerts.close();
    expect(listeners).toHaveLength(0);
  });
});

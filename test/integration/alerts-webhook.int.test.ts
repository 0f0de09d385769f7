import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlerts } from '../../src/alerts/alerts.js';
import { alertsSchema } from '../../src/config/alerts-schema.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import type { LogFields, Logger } from '../../src/core/logger.js';
import { replayDeadLetters } from '../../src/operations/dead-letters.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Acceptance of issue 10: alerts against a local HTTP receiver on the embedded SQLite stack — a
// record the target refuses fires once, stays quiet while firing, and resolves once after
// `dlq replay` fixes it; no secret of the alerts config appears in a notice, a record or a log line.

const HOOK_TOKEN = 'hook-token-5b1f0c9e7d';
const HEADER_SECRET = 'Bearer header-secret-81aa4c';

interface Delivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

let fixture: SqliteFlowFixture;
let flow: Flow;
let context: OperationsContext;
let server: Server;
let deliveries: Delivery[];
let lines: string[];

function recordingLogger(): Logger {
  const write = (message: string, fields?: LogFields): void => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = { debug: write, info: write, warn: write, error: write, child: () => logger };
  return logger;
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', customersFlowConfig({ batch: 10 }));
  context = fixture.operations([flow]);
  deliveries = [];
  lines = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        path: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterEach(async () => {
  server.close();
  await fixture.close();
});

function cycle(): Promise<unknown> {
  return runCycle(flow, fixture.ports(), { trigger: 'manual', signal: new AbortController().signal });
}

describe('alerts against a local HTTP receiver', () => {
  it('fires once for a refused record, stays quiet while firing, and resolves once after dlq replay', async () => {
    const { port } = server.address() as AddressInfo;
    const config = alertsSchema.parse({
      channels: {
        ops: {
          type: 'webhook',
          url: `http://127.0.0.1:${port}/hook?token=${HOOK_TOKEN}`,
          headers: { authorization: HEADER_SECRET },
        },
      },
      rules: [{ name: 'dead-letters', when: { deadLetters: { over: 0 } }, notify: ['ops'] }],
    });
    const outcomes: string[] = [];
    const alerts = createAlerts({
      config,
      operations: context,
      logger: recordingLogger(),
      retryDelayMs: 1,
      onDelivery: (channel, outcome) => outcomes.push(`${channel}:${outcome}`),
    });

    fixture.insertAccounts([
      ...plainAccounts(3),
      { id: 4, name: 'Refused', status: 'active', qty: -5, version: 4 },
    ]);
    await cycle();
    expect(await fixture.state.countDeadLetters({ flow: 'customers', status: 'open' })).toBe(1);

    await alerts.evaluate();
    await alerts.evaluate();
    await cycle();
    await alerts.evaluate();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.path).toBe(`/hook?token=${HOOK_TOKEN}`);
    expect(deliveries[0]?.headers.authorization).toBe(HEADER_SECRET);
    expect(deliveries[0]?.body).toMatchObject({
      status: 'firing',
      rule: 'dead-letters',
      flow: 'customers',
      value: 1,
      summary: '[FIRING] dead-letters · flow customers: 1 open dead letters (over 0)',
    });
    expect(Date.parse(String(deliveries[0]?.body.startsAt))).not.toBeNaN();

    fixture.updateAccount(4, { qty: 5 });
    const replay = await replayDeadLetters(context, { actor: 'tester@alerts', flow: 'customers' });
    expect(replay.isClean).toBe(true);
    await alerts.evaluate();
    await alerts.evaluate();
    await alerts.close();

    expect(deliveries.map((delivery) => delivery.body.status)).toEqual(['firing', 'resolved']);
    expect(deliveries[1]?.body).toMatchObject({
      fingerprint: deliveries[0]?.body.fingerprint,
      startsAt: deliveries[0]?.body.startsAt,
    });
    expect(typeof deliveries[1]?.body.endsAt).toBe('string');
    expect(outcomes).toEqual(['ops:sent', 'ops:sent']);

    const recorded = await fixture.state.getFlowMeta('alerts', 'deliveries');
    expect(recorded).toMatchObject([
      { channel: 'ops', rule: 'dead-letters', flow: 'customers', status: 'firing', outcome: 'sent' },
      { channel: 'ops', rule: 'dead-letters', flow: 'customers', status: 'resolved', outcome: 'sent' },
    ]);

    // The secret scan: every notice body, the delivery record and every log line.
    const seen = [
      ...deliveries.map((delivery) => JSON.stringify(delivery.body)),
      JSON.stringify(recorded),
      JSON.stringify(await fixture.state.getFlowMeta('customers', 'alert.dead-letters')),
      ...lines,
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [HOOK_TOKEN, HEADER_SECRET, 'header-secret-81aa4c'])
      expect(seen).not.toContain(secret);
  });

  it('records a failed delivery with the token masked when the receiver is gone', async () => {
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    const alerts = createAlerts({
      config: alertsSchema.parse({
        channels: { ops: { type: 'webhook', url: `http://127.0.0.1:${port}/hook?token=${HOOK_TOKEN}` } },
        rules: [{ name: 'dead-letters', when: { deadLetters: { over: 0 } }, notify: ['ops'] }],
      }),
      operations: context,
      logger: recordingLogger(),
      retryDelayMs: 1,
    });
    fixture.insertAccounts([{ id: 1, name: null, status: 'active', qty: 1, version: 1 }]);
    await cycle();
    await alerts.evaluate();
    await alerts.close();
    const recorded = await fixture.state.getFlowMeta('alerts', 'deliveries');
    expect(recorded).toMatchObject([{ channel: 'ops', outcome: 'failed' }]);
    const seen = JSON.stringify(recorded) + lines.join('\n');
    expect(seen).toContain('webhook not reached');
    expect(seen).not.toContain(HOOK_TOKEN);
  });
});

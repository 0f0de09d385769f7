import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mqttConnector } from '../../src/connectors/mqtt/index.js';
import type { Connector } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';

// probe of an MQTT connection: the real Mosquitto answers; a port nobody listens on does not, and
// the probe says so instead of hanging or throwing.

let dir: string;
let state: SqliteStateStore;
let connectors: Connector[] = [];
const clientId = `syncline-test-${randomUUID()}`;

function connect(url: string): Connector {
  const config = mqttConnector.configSchema.parse({
    type: 'mqtt',
    url,
    topics: ['syncline-probe/#'],
    clientId,
  });
  const connector = mqttConnector.create(config, { name: 'scales', logger: silentLogger, inbox: state });
  connectors.push(connector);
  return connector;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-mqtt-probe-'));
  state = new SqliteStateStore(join(dir, 'state.db'));
  await state.init();
});

afterEach(async () => {
  await Promise.all(connectors.map((connector) => connector.close()));
  connectors = [];
  await state.close();
  const cleanup = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId, clean: true });
  await cleanup.endAsync();
  rmSync(dir, { recursive: true, force: true });
});

it('probes the broker, and reports one that cannot be reached', async () => {
  expect(await connect('mqtt://127.0.0.1:1883').probe(AbortSignal.timeout(10_000))).toMatchObject({
    ok: true,
    server: 'MQTT broker',
  });
  const unreachable = await connect('mqtt://127.0.0.1:1').probe(AbortSignal.timeout(1_500));
  expect(unreachable.ok).toBe(false);
  expect(unreachable.message).toMatch(/^not connected to the broker/);
});

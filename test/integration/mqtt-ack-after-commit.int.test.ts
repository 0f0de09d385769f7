import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mqttConnector } from '../../src/connectors/mqtt/index.js';
import type { Connector } from '../../src/core/connector.js';
import type { InboxEventInput, InboxStore } from '../../src/core/inbox.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { eventually } from '../support/eventually.js';

// The PUBACK follows the commit: when storing a message fails, the broker (the real Mosquitto)
// gets no acknowledgement and delivers the message again, so it is stored after all. Were the
// message acknowledged on receipt, the failed store would lose it.

const BROKER = 'mqtt://127.0.0.1:1883';

let dir: string;
let state: SqliteStateStore;
let connector: Connector | undefined;
let clientId: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-mqtt-'));
  state = new SqliteStateStore(join(dir, 'state.db'));
  await state.init();
  clientId = `syncline-test-${randomUUID()}`;
});

afterEach(async () => {
  await connector?.close();
  connector = undefined;
  await state.close();
  const cleanup = await mqtt.connectAsync(BROKER, { clientId, clean: true });
  await cleanup.endAsync();
  rmSync(dir, { recursive: true, force: true });
});

it('acknowledges a message only after it is stored: a failed store gets it delivered again', async () => {
  const topic = `syncline-test-${randomUUID()}`;
  let failures = 0;
  // The real store, whose first append fails as a full disk would.
  const inbox: InboxStore = Object.assign(Object.create(state) as SqliteStateStore, {
    appendInboxEvents: (events: readonly InboxEventInput[]) => {
      if (failures === 0) {
        failures += 1;
        return Promise.reject(new Error('disk full'));
      }
      return state.appendInboxEvents(events);
    },
  });
  const config = mqttConnector.configSchema.parse({
    type: 'mqtt',
    url: BROKER,
    topics: [`${topic}/#`],
    clientId,
  });
  connector = mqttConnector.create(config, { name: 'scales', logger: silentLogger, inbox });
  let woken = 0;
  const source = {
    flow: 'stock',
    table: 'scales',
    key: 'sku',
    cursor: 'seq',
    deleted: undefined,
    columns: ['sku', 'qty', 'seq', '_topic'],
    batchSize: 100,
    lookback: 0,
  };
  const watch = await connector.watchChanges!(source, () => (woken += 1), AbortSignal.timeout(10_000));
  const publisher = await mqtt.connectAsync(BROKER, { clientId: `publisher-${randomUUID()}`, clean: true });
  await publisher.publishAsync(`${topic}/A-1`, JSON.stringify({ sku: 'A-1', qty: '12.500', seq: 1 }), {
    qos: 1,
  });
  await publisher.endAsync();

  await eventually(
    async () => (await state.countInboxEvents('scales', 0)) === 1,
    'the redelivered message was stored',
  );
  expect(failures).toBe(1);
  expect(woken).toBe(1);
  const changes = [];
  for await (const batch of connector.readChanges(source, undefined, AbortSignal.timeout(10_000)))
    changes.push(...batch.changes);
  expect(changes).toEqual([
    { key: 'A-1', op: 'upsert', row: { sku: 'A-1', qty: '12.500', seq: 1, _topic: `${topic}/A-1` } },
  ]);
  await watch.close();
});

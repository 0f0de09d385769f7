import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, spawnCli, type Workspace } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

// `syncline run` with an MQTT source on the real Mosquitto (127.0.0.1:1883): QoS 1 messages reach
// the target; messages published while Syncline is down arrive after its restart (persistent
// session); a SIGKILL right after the broker acknowledged a burst loses none of it.

const BROKER = 'mqtt://127.0.0.1:1883';

let workspace: Workspace;
let prefix: string;
let clientId: string;
let running: { child: ChildProcess; output: () => string } | undefined;

function start(): { child: ChildProcess; output: () => string } {
  const child = spawnCli(['-c', workspace.configPath, 'run'], { cwd: workspace.dir });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function startSubscribed(): Promise<void> {
  running = start();
  const current = running;
  await eventually(
    () =>
      current.output().includes('flow stock is woken by change events') || current.child.exitCode !== null,
    'syncline subscribed',
  );
  if (current.child.exitCode !== null) throw new Error(`syncline run exited:\n${current.output()}`);
}

async function kill(signal: NodeJS.Signals): Promise<void> {
  const current = running;
  running = undefined;
  if (current === undefined || current.child.exitCode !== null) return;
  const exited = new Promise((resolve) => current.child.once('exit', resolve));
  current.child.kill(signal);
  await exited;
}

/** Publishes each message with QoS 1; resolves once the broker acknowledged every one. */
async function publish(messages: readonly { sku: string; qty: number; seq: number }[]): Promise<void> {
  const client = await mqtt.connectAsync(BROKER, { clientId: `publisher-${randomUUID()}`, clean: true });
  try {
    for (const message of messages)
      await client.publishAsync(`${prefix}/${message.sku}/count`, JSON.stringify(message), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

function stock(): { sku: string; qty: number; topic: string }[] {
  const db = new Database(join(workspace.dir, 'erp.db'), { readonly: true });
  try {
    return db.prepare('SELECT sku, qty, topic FROM stock ORDER BY sku').all() as never;
  } finally {
    db.close();
  }
}

beforeEach(() => {
  workspace = createWorkspace();
  prefix = `syncline-test-${randomUUID()}`;
  clientId = `syncline-test-${randomUUID()}`;
  workspace.writeConfig(`state: sqlite:state.db
connections:
  scales: { type: mqtt, url: ${BROKER}, topics: [${prefix}/+/count], clientId: ${clientId} }
  erp: { type: sqlite, path: erp.db }
flows:
  stock:
    source: { connection: scales, table: scales, key: sku, cursor: seq }
    target: { connection: erp, table: stock, key: sku }
    fields: { qty: qty, topic: _topic }
    cadence: { realtime: true, pollInterval: 1h }
`);
  const erp = new Database(join(workspace.dir, 'erp.db'));
  erp.exec('CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER, topic TEXT)');
  erp.close();
});

afterEach(async () => {
  await kill('SIGKILL');
  // Drop the persistent session the test made on the shared broker.
  const cleanup = await mqtt.connectAsync(BROKER, { clientId, clean: true });
  await cleanup.endAsync();
  workspace.remove();
});

describe('MQTT source', () => {
  it('syncs QoS 1 messages, and those published while it was down after its restart', async () => {
    await startSubscribed();
    await publish([
      { sku: 'A-1', qty: 5, seq: 1 },
      { sku: 'B-2', qty: 7, seq: 2 },
    ]);
    await eventually(() => stock().length === 2, 'the messages reached the target');
    expect(stock()).toEqual([
      { sku: 'A-1', qty: 5, topic: `${prefix}/A-1/count` },
      { sku: 'B-2', qty: 7, topic: `${prefix}/B-2/count` },
    ]);

    await kill('SIGTERM');
    await publish([
      { sku: 'A-1', qty: 4, seq: 3 },
      { sku: 'C-3', qty: 9, seq: 4 },
    ]);
    await startSubscribed();
    await eventually(
      () => stock().length === 3 && stock()[0]?.qty === 4,
      'the messages kept by the broker arrived',
    );
    expect(stock().map((row) => [row.sku, row.qty])).toEqual([
      ['A-1', 4],
      ['B-2', 7],
      ['C-3', 9],
    ]);
  });

  it('loses nothing when killed with SIGKILL right after the broker acknowledged a burst', async () => {
    await startSubscribed();
    const burst = Array.from({ length: 60 }, (_, index) => ({
      sku: `S-${String(index).padStart(3, '0')}`,
      qty: index,
      seq: index,
    }));
    await publish(burst);
    await kill('SIGKILL');
    await startSubscribed();
    await eventually(() => stock().length === burst.length, 'every message of the burst reached the target');
    expect(stock().map((row) => row.qty)).toEqual(burst.map((message) => message.qty));
  });
});

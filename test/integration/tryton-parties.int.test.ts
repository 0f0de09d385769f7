import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordOutcome, SourceSpec, TargetRecord, TargetSpec } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { trytonConnector } from '../../src/connectors/tryton/index.js';
import { TrytonConnector } from '../../src/connectors/tryton/tryton-connector.js';
import { startTestTryton, type TestTryton } from '../support/tryton.js';

// Parties into a real Tryton 6.0 (own SQLite copy per file): per-record outcomes with Tryton's
// ids, a refused record with Tryton's own message while the others are written, idempotent
// re-writes, a lost session renewed, contact mechanisms and the first address as fields.

let tryton: TestTryton;
let connector: TrytonConnector;
const signal = AbortSignal.timeout(170_000);

const parties: TargetSpec = {
  flow: 'customers',
  table: 'party.party',
  key: 'code',
  columns: ['code', 'name', 'email', 'phone', 'address.street', 'address.city', 'address.postal_code'],
  types: {},
  onDelete: { mode: 'soft', column: 'active' },
};

function party(code: string, values: Record<string, string | boolean | null> = {}): TargetRecord {
  return { key: code, op: 'upsert', values: { code, name: `Customer ${code}`, ...values } };
}

function byKey(outcomes: readonly RecordOutcome[] | undefined): Map<string, RecordOutcome> {
  return new Map((outcomes ?? []).map((outcome) => [outcome.key, outcome]));
}

beforeAll(async () => {
  tryton = await startTestTryton();
  const config = trytonConnector.configSchema.parse({
    type: 'tryton',
    url: tryton.url,
    user: 'admin',
    password: 'admin',
  });
  connector = new TrytonConnector(config, { name: 'erp', logger: silentLogger });
});

afterAll(async () => {
  await connector.close();
  await tryton.stop();
});

describe('Tryton parties as a target', () => {
  it('reports created records with their Tryton ids, and refuses exactly the bad one with Tryton’s message', async () => {
    const result = await connector.writeBatch(
      parties,
      [party('C-1'), party('C-2', { phone: '+1 555 0100' }), party('C-3')],
      signal,
    );
    const outcomes = byKey(result.outcomes);
    const stored = await tryton.admin.searchRead(
      'party.party',
      [['code', 'in', ['C-1', 'C-2', 'C-3']]],
      ['code'],
    );
    expect(stored.map((row) => row['code'])).toEqual(['C-1', 'C-3']);
    expect(outcomes.get('C-1')).toEqual({ key: 'C-1', status: 'created', id: stored[0]?.['id'] });
    expect(outcomes.get('C-3')).toEqual({ key: 'C-3', status: 'created', id: stored[1]?.['id'] });
    const refused = outcomes.get('C-2');
    expect(refused?.status).toBe('refused');
    if (refused?.status !== 'refused') return;
    expect(refused.error.message).toBe(
      'The phone number "+1 555 0100" for party "Customer C-2" is not valid.',
    );
    expect(refused.error).toMatchObject({ code: 'CONNECTOR_VALUE_REJECTED', retryable: false, key: 'C-2' });
    expect(result.written).toBe(2);
  });

  it('writes the same records again as updates of the same ids, never as new parties', async () => {
    const first = byKey((await connector.writeBatch(parties, [party('C-4'), party('C-5')], signal)).outcomes);
    const again = byKey(
      (await connector.writeBatch(parties, [party('C-4', { name: 'Renamed' }), party('C-5')], signal))
        .outcomes,
    );
    // C-5 already holds these values: not written, so its write_date does not move.
    const firstC5 = first.get('C-5');
    expect(again.get('C-5')).toEqual({
      key: 'C-5',
      status: 'unchanged',
      id: firstC5?.status === 'created' ? firstC5.id : -1,
    });
    expect(
      await tryton.admin.searchRead('party.party', [['code', '=', 'C-5']], ['write_date']),
    ).toMatchObject([{ write_date: null }]);
    const firstC4 = first.get('C-4');
    expect(firstC4?.status).toBe('created');
    expect(again.get('C-4')).toEqual({
      key: 'C-4',
      status: 'updated',
      id: firstC4?.status === 'created' ? firstC4.id : -1,
    });
    const stored = await tryton.admin.searchRead(
      'party.party',
      [['code', 'in', ['C-4', 'C-5']]],
      ['code', 'name'],
    );
    expect(stored.map((row) => [row['code'], row['name']])).toEqual([
      ['C-4', 'Renamed'],
      ['C-5', 'Customer C-5'],
    ]);
  });

  it('finds the refused record of a write of existing records, and writes the others', async () => {
    const result = await connector.writeBatch(
      parties,
      [party('C-4', { name: 'Written' }), party('C-5', { phone: '+1 555 0100' })],
      signal,
    );
    const outcomes = byKey(result.outcomes);
    expect(outcomes.get('C-4')?.status).toBe('updated');
    expect(outcomes.get('C-5')).toMatchObject({
      status: 'refused',
      error: { message: 'The phone number "+1 555 0100" for party "Customer C-5" is not valid.' },
    });
    const stored = await tryton.admin.searchRead(
      'party.party',
      [['code', 'in', ['C-4', 'C-5']]],
      ['name', 'phone'],
    );
    expect(stored.map((row) => [row['name'], row['phone']])).toEqual([
      ['Written', ''],
      ['Customer C-5', ''],
    ]);
  });

  it('refuses a field the model does not have, naming it, without touching the others', async () => {
    const result = await connector.writeBatch(
      parties,
      [party('C-6'), { key: 'C-7', op: 'upsert', values: { code: 'C-7', nickname: 'x' } }],
      signal,
    );
    const outcomes = byKey(result.outcomes);
    expect(outcomes.get('C-6')?.status).toBe('created');
    expect(outcomes.get('C-7')).toMatchObject({
      status: 'refused',
      error: { code: 'CONNECTOR_COLUMN_NOT_FOUND', field: 'nickname' },
    });
  });

  it('logs in again when Tryton no longer knows its session, and writes', async () => {
    await connector.writeBatch(parties, [party('S-1')], signal);
    const database = new Database(tryton.sqlitePath);
    try {
      expect(database.prepare('DELETE FROM ir_session').run().changes).toBeGreaterThan(0);
    } finally {
      database.close();
    }
    const result = await connector.writeBatch(parties, [party('S-2')], signal);
    expect(result.outcomes?.[0]?.status).toBe('created');
    expect(await tryton.admin.searchRead('party.party', [['code', '=', 'S-2']], ['code'])).toHaveLength(1);
  });

  it('maintains the first email, phone and address of a party through its virtual fields', async () => {
    await connector.writeBatch(
      parties,
      [
        party('A-1', {
          email: 'info@acme.example',
          phone: '+1 650-253-0000',
          'address.street': '1 Main St',
          'address.city': 'Springfield',
          'address.postal_code': '12345',
        }),
      ],
      signal,
    );
    await connector.writeBatch(
      parties,
      [party('A-1', { email: 'sales@acme.example', phone: null, 'address.city': 'Shelbyville' })],
      signal,
    );
    const [stored] = await tryton.admin.searchRead(
      'party.party',
      [['code', '=', 'A-1']],
      ['email', 'phone', 'addresses'],
    );
    expect(stored).toMatchObject({ email: 'sales@acme.example', phone: '' });
    const mechanisms = await tryton.admin.searchRead(
      'party.contact_mechanism',
      [['party', '=', stored?.['id'] ?? 0]],
      ['type', 'value'],
    );
    expect(mechanisms.map((row) => [row['type'], row['value']])).toEqual([['email', 'sales@acme.example']]);
    const addresses = await tryton.admin.searchRead(
      'party.address',
      [['party', '=', stored?.['id'] ?? 0]],
      ['street', 'city', 'postal_code'],
    );
    expect(addresses.map((row) => [row['street'], row['city'], row['postal_code']])).toEqual([
      ['1 Main St', 'Shelbyville', '12345'],
    ]);
  });

  it('archives a party deleted at the source and restores it when it comes back (soft delete on active)', async () => {
    // The engine writes the soft-delete column true for a deleted record, false for the others.
    await connector.writeBatch(parties, [party('D-1', { active: false })], signal);
    const stored = () => tryton.admin.searchRead('party.party', [['code', '=', 'D-1']], ['active']);
    expect(await stored()).toMatchObject([{ active: 1 }]);
    await connector.writeBatch(parties, [party('D-1', { active: true })], signal);
    expect(await stored()).toMatchObject([{ active: 0 }]);
    await connector.writeBatch(parties, [party('D-1', { active: false })], signal);
    expect(await stored()).toMatchObject([{ active: 1 }]);
    const deleted = await connector.writeBatch(
      parties,
      [{ key: 'D-1', op: 'delete', values: { code: 'D-1' } }],
      signal,
    );
    expect(deleted.outcomes).toEqual([{ key: 'D-1', status: 'deleted' }]);
    expect(await stored()).toMatchObject([{ active: 0 }]);
  });
});

describe('Tryton connection trouble is never a record’s', () => {
  it('serializes writes of one connection, so two batches with the same new key make one party', async () => {
    const [first, second] = await Promise.all([
      connector.writeBatch(parties, [party('K-1')], signal),
      connector.writeBatch(parties, [party('K-1', { name: 'Second' })], signal),
    ]);
    expect([first.outcomes?.[0]?.status, second.outcomes?.[0]?.status]).toEqual(['created', 'updated']);
    expect(await tryton.admin.searchRead('party.party', [['code', '=', 'K-1']], ['name'])).toMatchObject([
      { name: 'Second' },
    ]);
  });

  it('throws a refused login as CONNECTOR_AUTH_FAILED instead of refusing the records', async () => {
    // A throw-away login: failed logins of one login are counted and slowed down by Tryton.
    const config = trytonConnector.configSchema.parse({
      type: 'tryton',
      url: tryton.url,
      user: `nobody-${Date.now()}`,
      password: 'wrong',
    });
    const stranger = new TrytonConnector(config, { name: 'erp', logger: silentLogger });
    await expect(stranger.writeBatch(parties, [party('X-1')], signal)).rejects.toMatchObject({
      code: 'CONNECTOR_AUTH_FAILED',
      retryable: false,
    });
    await stranger.close();
  });

  it('throws an unreachable server as retryable CONNECTOR_UNAVAILABLE, and probe says so', async () => {
    const config = trytonConnector.configSchema.parse({
      type: 'tryton',
      url: 'http://127.0.0.1:9/erp/',
      user: 'admin',
      password: 'admin',
    });
    const offline = new TrytonConnector(config, { name: 'erp', logger: silentLogger });
    await expect(offline.writeBatch(parties, [party('X-2')], signal)).rejects.toMatchObject({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    expect(await offline.probe(signal)).toMatchObject({
      ok: false,
      message: expect.stringContaining('erp') as unknown,
    });
    await offline.close();
  });
});

describe('Tryton parties as a source', () => {
  const source: SourceSpec = {
    flow: 'parties-back',
    table: 'party.party',
    key: 'code',
    cursor: 'write_date',
    deleted: 'active',
    columns: ['code', 'name', 'active', 'create_date'],
    batchSize: 2,
    lookback: 0,
  };

  it('reads every party, then only those changed since the checkpoint, with canonical values', async () => {
    let checkpoint;
    const first = [];
    for await (const batch of connector.readChanges(source, undefined, signal)) {
      first.push(...batch.changes);
      checkpoint = batch.checkpoint;
    }
    const c1 = first.find((change) => change.key === 'C-1');
    expect(c1?.op).toBe('upsert');
    expect(c1?.row['active']).toBe(true);
    expect(c1?.row['create_date']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(first.find((change) => change.key === 'D-1')?.op).toBe('delete');
    expect(new Set(first.map((change) => change.key)).size).toBe(first.length);

    const [c5] = await tryton.admin.searchRead('party.party', [['code', '=', 'C-5']], ['id']);
    await tryton.admin.call('model.party.party.write', [[c5?.['id'] ?? 0], { name: 'Changed in Tryton' }]);
    const second = [];
    for await (const batch of connector.readChanges(source, checkpoint, signal))
      second.push(...batch.changes);
    expect(second.map((change) => change.key)).toContain('C-5');
    expect(second.find((change) => change.key === 'C-5')?.row['name']).toBe('Changed in Tryton');
    expect(second.map((change) => change.key)).not.toContain('C-1');
    expect(await connector.countPending(source, checkpoint, 1_000, signal)).toBeGreaterThanOrEqual(1);
    expect((await connector.readByKeys(source, ['C-3', 'nope'], signal)).map((change) => change.key)).toEqual(
      ['C-3'],
    );
  });

  it('does not lose a record changed behind the page being read during a pass', async () => {
    const ids = new Map<string, number>();
    for (const row of await tryton.admin.searchRead(
      'party.party',
      [['code', 'in', ['C-1', 'C-3', 'C-4', 'C-5', 'C-6']]],
      ['code'],
    ))
      ids.set(row['code'] as string, row['id'] as number);
    const rename = (code: string, name: string) =>
      tryton.admin.call('model.party.party.write', [[ids.get(code) ?? 0], { name }]);
    let checkpoint;
    for await (const batch of connector.readChanges(source, undefined, signal)) checkpoint = batch.checkpoint;
    for (const code of ['C-3', 'C-4', 'C-5', 'C-6']) await rename(code, `${code} again`);
    let pages = 0;
    for await (const batch of connector.readChanges(source, checkpoint, signal)) {
      if (pages++ === 0) {
        // The pass is past C-1 (ids are read in order): change it, then C-6, read on a later page
        // with a later date than C-1's change.
        await rename('C-1', 'Changed behind');
        await rename('C-6', 'C-6 later');
      }
      checkpoint = batch.checkpoint;
    }
    expect(pages).toBeGreaterThan(1);
    const next = [];
    for await (const batch of connector.readChanges(source, checkpoint, signal)) next.push(...batch.changes);
    expect(next.find((change) => change.key === 'C-1')?.row['name']).toBe('Changed behind');
  });

  it('probes the server and describes models with their fields and writable virtual fields', async () => {
    const probe = await connector.probe(signal);
    expect(probe.ok).toBe(true);
    expect(probe.server).toMatch(/^Tryton 6\.0/);
    const schema = await connector.describeTable('party.party', signal);
    const kinds = new Map(schema?.columns.map((column) => [column.name, column.kind]));
    expect(kinds.get('code')).toBe('string');
    expect(kinds.get('active')).toBe('boolean');
    expect(kinds.get('address.city')).toBe('string');
    expect(await connector.describeTable('no.such_model', signal)).toBeUndefined();
    const sale = await connector.describeTable('sale.sale', signal);
    const column = (name: string) => sale?.columns.find((info) => info.name === name);
    // Required, but Tryton fills it from the context: no "unmapped" warning for it.
    expect(column('company')).toMatchObject({ nullable: false, hasDefault: true, kind: 'integer' });
    expect(column('party')).toMatchObject({ nullable: false, hasDefault: false });
    expect(connector.checkObjectName('party.party')).toBeUndefined();
    expect(connector.checkObjectName('party party')).toMatch(/not a Tryton model name/);
    expect(connector.checkFieldName('party.name')).toBeUndefined();
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type SynclineMetrics } from '../../src/api/metrics/syncline-metrics.js';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';
import { labelValues, parseExposition, sampleValue, type Exposition } from '../support/prometheus-text.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// /metrics as Prometheus would read it, parsed by a third-party text-format parser, while real
// flows sync: PostgreSQL → MariaDB with a timestamptz cursor, and the embedded SQLite stack.

/** Label names our own metrics may carry (prom-client's process metrics have their own). */
const BOUNDED_LABELS = new Set([
  'flow',
  'outcome',
  'status',
  'code',
  'target',
  'kind',
  'mode',
  'channel',
  'version',
  'node',
  'le',
]);

/** The series of our own metrics, without prom-client's process metrics. */
function ownSeries(exposition: Exposition): Exposition {
  const series = [...exposition.series.entries()].filter(
    ([name]) => !/^syncline_(process|nodejs)_/.test(name),
  );
  return { families: exposition.families, series: new Map(series) };
}

function labelNames(exposition: Exposition): string[] {
  return [...exposition.series.values()].flatMap((samples) =>
    samples.flatMap((sample) => Object.keys(sample.labels ?? {})),
  );
}

describe('metrics of a PostgreSQL → MariaDB flow', () => {
  let databases: CrmErpDatabases;
  let dir: string;
  let engine: Engine;
  let runtime: LocalRuntime;
  let metrics: SynclineMetrics;
  const flow = { flow: 'customers' };

  beforeAll(async () => {
    databases = await createCrmErpDatabases('metrics');
    await databases.crm.query(
      'CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL)',
    );
    await databases.erp.query(
      'CREATE TABLE customers (crm_id bigint PRIMARY KEY, name varchar(100) NOT NULL)',
    );
    dir = mkdtempSync(join(tmpdir(), 'syncline-metrics-'));
    writeFileSync(
      join(dir, 'syncline.yaml'),
      `state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: postgres, url: "${databases.crmUrl}" }
  erp: { type: mysql, url: "${databases.erpUrl}" }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
    batch: 7
    cadence: { every: 1h }
`,
    );
    engine = await openEngine(join(dir, 'syncline.yaml'), () => silentLogger);
    runtime = new LocalRuntime(engine.context);
    metrics = createMetrics({
      runtime,
      operations: { ...engine.operations, runtime },
      version: '0.1.0-test',
    });
  });

  afterAll(async () => {
    metrics.close();
    await runtime.stop();
    await engine.close();
    await databases.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function scrape(): Promise<{ text: string; exposition: Exposition }> {
    const text = await metrics.scrape();
    return { text, exposition: parseExposition(text) };
  }

  it('moves the records counter and the freshness lag when rows sync, with bounded labels', async () => {
    const before = (await scrape()).exposition;
    expect(sampleValue(before, 'syncline_records_read_total', flow)).toBe(0);
    expect(sampleValue(before, 'syncline_records_total', { ...flow, outcome: 'written' })).toBe(0);
    expect(sampleValue(before, 'syncline_freshness_lag_seconds', flow)).toBeUndefined();

    // Rows changed an hour ago at the source: the target, once synced, is an hour behind "now".
    await databases.crm.query(
      `INSERT INTO accounts (id, name, updated_at)
       SELECT g, 'Account ' || g, now() - interval '1 hour' FROM generate_series(1, 20) g`,
    );
    const [first] = await runtime.runOnce();
    expect(first?.status).toBe('succeeded');
    const synced = (await scrape()).exposition;
    // Read counts every change read, re-reads included (the initial scan hands over to incremental
    // reads at its high-water mark, so rows sharing that cursor value are read again, unchanged).
    const readFirst = sampleValue(synced, 'syncline_records_read_total', flow) ?? 0;
    expect(readFirst).toBeGreaterThanOrEqual(20);
    expect(sampleValue(synced, 'syncline_records_total', { ...flow, outcome: 'written' })).toBe(20);
    expect(sampleValue(synced, 'syncline_cycles_total', { ...flow, status: 'succeeded' })).toBe(1);
    expect(sampleValue(synced, 'syncline_cycle_duration_seconds_count', flow)).toBe(1);
    expect(
      sampleValue(synced, 'syncline_target_write_duration_seconds_count', { target: 'erp', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(3);
    expect(sampleValue(synced, 'syncline_last_success_timestamp_seconds', flow)).toBeGreaterThan(0);
    expect(sampleValue(synced, 'syncline_cadence_interval_seconds', flow)).toBe(3600);
    expect(sampleValue(synced, 'syncline_cadence_batch_size', flow)).toBe(7);
    const hourBehind = sampleValue(synced, 'syncline_freshness_lag_seconds', flow) ?? 0;
    expect(hourBehind).toBeGreaterThanOrEqual(3600);

    await databases.crm.query(
      `INSERT INTO accounts (id, name, updated_at) SELECT g, 'Account ' || g, now() FROM generate_series(21, 25) g`,
    );
    await runtime.runOnce();
    const { text, exposition: later } = await scrape();
    expect(sampleValue(later, 'syncline_records_read_total', flow)).toBeGreaterThanOrEqual(readFirst + 5);
    expect(sampleValue(later, 'syncline_records_total', { ...flow, outcome: 'written' })).toBe(25);
    expect(sampleValue(later, 'syncline_freshness_lag_seconds', flow)).toBeLessThan(hourBehind - 3000);
    expect(await databases.erpRows('SELECT count(*) AS n FROM customers')).toEqual([{ n: '25' }]);

    const own = ownSeries(later);
    expect(labelNames(own).filter((name) => !BOUNDED_LABELS.has(name))).toEqual([]);
    const values = new Set(labelValues(own));
    const keysAndNames = Array.from({ length: 25 }, (_, index) => [
      String(index + 1),
      `Account ${String(index + 1)}`,
    ]);
    expect(keysAndNames.flat().filter((value) => values.has(value))).toEqual([]);
    expect(text).not.toContain(databases.crmUrl);
    expect(text).not.toContain(databases.erpUrl);
  });
});

describe('metrics of the embedded stack (numeric cursor)', () => {
  let fixture: SqliteFlowFixture | undefined;
  let metrics: SynclineMetrics | undefined;

  afterEach(async () => {
    metrics?.close();
    await fixture?.close();
  });

  it('measures freshness from the last successful cycle and counts a refused record as open', async () => {
    const stack = await SqliteFlowFixture.create();
    fixture = stack;
    const flows = [compileFlow('customers', customersFlowConfig({ batch: 500 }))];
    const runtime = new LocalRuntime({
      flows,
      state: stack.state,
      logger: silentLogger,
      portsFor: () => stack.ports(),
    });
    // A stopped clock a day ahead: the lag is about a day after the first cycle, less after a later one.
    const tomorrow = Date.now() + 86_400_000;
    metrics = createMetrics({
      runtime,
      operations: {
        flows,
        state: stack.state,
        logger: silentLogger,
        portsFor: () => stack.ports(),
        connector: (name) => (name === 'crm' ? stack.source : stack.target),
        runtime,
      },
      version: '0.1.0-test',
      now: () => tomorrow,
    });
    const flow = { flow: 'customers' };

    stack.insertAccounts(plainAccounts(10));
    await runtime.runOnce();
    const first = parseExposition(await metrics.scrape());
    expect(sampleValue(first, 'syncline_records_total', { ...flow, outcome: 'written' })).toBe(10);
    const dayBehind = sampleValue(first, 'syncline_freshness_lag_seconds', flow) ?? 0;
    expect(dayBehind).toBeGreaterThan(86_000);

    // qty -1 breaks the target's CHECK: the record is dead-lettered, the other one written.
    stack.insertAccounts([
      { id: 11, name: 'Refused', status: 'active', qty: -1, version: 11 },
      { id: 12, name: 'Fine', status: 'active', qty: 1, version: 12 },
    ]);
    await runtime.runOnce();
    const later = parseExposition(await metrics.scrape());
    expect(sampleValue(later, 'syncline_records_read_total', flow)).toBeGreaterThanOrEqual(12);
    expect(sampleValue(later, 'syncline_records_total', { ...flow, outcome: 'written' })).toBe(11);
    expect(sampleValue(later, 'syncline_records_total', { ...flow, outcome: 'failed' })).toBe(1);
    expect(sampleValue(later, 'syncline_dead_letters_open', flow)).toBe(1);
    expect(
      sampleValue(later, 'syncline_dead_letters_total', {
        ...flow,
        kind: 'write',
        code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      }),
    ).toBe(1);
    expect(sampleValue(later, 'syncline_freshness_lag_seconds', flow)).toBeLessThan(dayBehind);
    expect(labelValues(later)).not.toContain('11');
  });
});

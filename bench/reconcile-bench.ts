/**
 * Reconcile (`npm run bench:reconcile`; also the last part of `npm run bench`): a PostgreSQL CRM
 * table of BENCH_RECONCILE_ROWS rows (default 1,000,000) against its MariaDB copy with
 * BENCH_RECONCILE_DIFFERENCES differences (default 10: changed at the target, changed at the
 * source without a cursor change, deleted at the target, hard-deleted at the source, added at the
 * target), compared by `reconcile` in checksum mode beside the full compare (every row read) in
 * the same run. Each mode runs twice, alternating, and the faster run is reported; both must find
 * exactly the injected keys, or the bench fails.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openEngine } from '../src/cli/engine.js';
import { silentLogger } from '../src/core/logger.js';
import { reconcileFlow, type ReconcileReport } from '../src/core/reconcile/reconcile.js';
import { createMysqlDatabase, createPostgresDatabase } from '../test/support/databases.js';

const RESULTS_DIRECTORY = fileURLToPath(new URL('../../bench/results/', import.meta.url));

const log = (message: string): void => {
  process.stderr.write(`[bench reconcile ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

function setting(name: string, fallback: number): number {
  const value = Number((process.env[name] ?? String(fallback)).replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** One measured run of a mode. */
export interface ReconcileMeasure {
  readonly mode: 'checksum' | 'full';
  readonly seconds: number;
  readonly rowsTransferred: number;
  readonly bytesTransferred: number;
  readonly checksumQueries: number;
  readonly bucketDigests: number;
  readonly differences: number;
}

function measureOf(report: ReconcileReport, seconds: number): ReconcileMeasure {
  const { transfer } = report.comparison;
  return {
    mode: report.mode,
    seconds,
    rowsTransferred: transfer.sourceRows + transfer.targetRows,
    bytesTransferred: transfer.bytes,
    checksumQueries: transfer.checksumQueries,
    bucketDigests: transfer.bucketRows,
    differences: report.comparison.missing + report.comparison.extra + report.comparison.different,
  };
}

/** Injects `count` differences spread over the table; returns their keys. */
async function injectDifferences(
  source: pg.Pool,
  target: mysql.Pool,
  rows: number,
  count: number,
): Promise<string[]> {
  const keys: string[] = [];
  for (let index = 0; index < count; index++) {
    const key = Math.floor(((index + 0.5) * rows) / count);
    keys.push(String(key));
    switch (index % 5) {
      case 0:
        await target.query("UPDATE customers SET name = 'changed in the ERP' WHERE crm_id = ?", [key]);
        break;
      case 1:
        await source.query("UPDATE accounts SET email = 'changed@crm.example' WHERE id = $1", [key]);
        break;
      case 2:
        await target.query('DELETE FROM customers WHERE crm_id = ?', [key]);
        break;
      case 3:
        await source.query('DELETE FROM accounts WHERE id = $1', [key]);
        break;
      default: {
        const added = rows + 1 + index;
        keys[keys.length - 1] = String(added);
        await target.query(
          "INSERT INTO customers (crm_id, name, email, credit_limit, status) VALUES (?, 'ERP only', NULL, 1, 'A')",
          [added],
        );
      }
    }
  }
  return keys.sort();
}

async function main(): Promise<void> {
  const rows = setting('BENCH_RECONCILE_ROWS', 1_000_000);
  const differences = setting('BENCH_RECONCILE_DIFFERENCES', 10);
  const dir = mkdtempSync(join(tmpdir(), 'syncline-bench-reconcile-'));
  const crm = await createPostgresDatabase('benchreconcilecrm');
  const erp = await createMysqlDatabase('benchreconcileerp');
  const source = new pg.Pool({ connectionString: crm.url, max: 2 });
  const target = mysql.createPool({ uri: erp.url, connectionLimit: 2 });
  try {
    log(`loading ${rows.toLocaleString('en-US')} rows into PostgreSQL and MariaDB`);
    await source.query(`
      CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text, credit_limit numeric(18,2),
        status text, updated_at timestamptz NOT NULL DEFAULT '2026-11-01T00:00:00Z');
      INSERT INTO accounts (id, name, email, credit_limit, status)
        SELECT i, 'Customer ' || i, 'c' || i || '@example.com', (i % 100000)::numeric / 100,
               CASE WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END FROM generate_series(1, ${rows}) AS i;`);
    await source.query('VACUUM ANALYZE accounts');
    await target.query(`CREATE TABLE customers (crm_id bigint PRIMARY KEY, name varchar(120) NOT NULL,
      email varchar(200), credit_limit decimal(18,4), status char(1))`);
    for (let start = 1; start <= rows; start += 250_000) {
      const end = Math.min(rows, start + 249_999);
      await target.query(`INSERT INTO customers (crm_id, name, email, credit_limit, status)
        SELECT seq, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), (seq % 100000) / 100,
               IF(seq % 10 = 0, 'I', 'A') FROM seq_${start}_to_${end}`);
    }
    const injected = await injectDifferences(source, target, rows, differences);
    const configPath = join(dir, 'syncline.yaml');
    writeFileSync(
      configPath,
      `state: "sqlite:${join(dir, 'state.db')}"
connections:
  crm: { type: postgres, url: "${crm.url}" }
  erp: { type: mysql, url: "${erp.url}" }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, onDelete: hard }
    fields:
      name: name
      email: email
      credit_limit: { from: credit_limit, type: decimal }
      status: { from: status, map: { active: A, inactive: I } }
`,
    );
    const engine = await openEngine(configPath, () => silentLogger);
    const measures: ReconcileMeasure[] = [];
    try {
      const flow = engine.flow('customers');
      for (const mode of ['checksum', 'full', 'checksum', 'full'] as const) {
        log(`reconcile --${mode === 'full' ? 'full' : 'checksum'} …`);
        const started = performance.now();
        const report = await reconcileFlow(flow, engine.context.portsFor(flow), {
          mode,
          repair: false,
          signal: AbortSignal.timeout(60 * 60_000),
          detailLimit: 100_000,
        });
        const seconds = (performance.now() - started) / 1000;
        const found = report.differences.map((difference) => difference.key).sort();
        if (JSON.stringify(found) !== JSON.stringify(injected))
          throw new Error(`${mode} found ${found.join(',')} but the injected keys are ${injected.join(',')}`);
        measures.push(measureOf(report, seconds));
      }
    } finally {
      await engine.close();
    }
    const best = (mode: 'checksum' | 'full'): ReconcileMeasure =>
      measures.filter((m) => m.mode === mode).reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const checksum = best('checksum');
    const full = best('full');
    const table = [
      '| mode | time | rows read | bytes read | checksum queries | bucket digests | vs full: rows | vs full: time |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...[full, checksum].map(
        (m) =>
          `| ${m.mode === 'full' ? 'full compare (every row)' : 'checksum + bisection'} | ${m.seconds.toFixed(2)} s | ${m.rowsTransferred.toLocaleString('en-US')} | ${(m.bytesTransferred / 1024 / 1024).toFixed(1)} MiB | ${m.checksumQueries} | ${m.bucketDigests.toLocaleString('en-US')} | ${m === full ? 'baseline' : `${(full.rowsTransferred / Math.max(1, m.rowsTransferred)).toFixed(0)}× fewer`} | ${m === full ? 'baseline' : `${(full.seconds / m.seconds).toFixed(1)}× faster`} |`,
      ),
    ].join('\n');
    mkdirSync(RESULTS_DIRECTORY, { recursive: true });
    const file = join(RESULTS_DIRECTORY, `reconcile-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ rows, differences, measures, checksum, full }, null, 2)}\n`);
    process.stdout.write(
      `\nReconcile — ${rows.toLocaleString('en-US')} rows PostgreSQL → MariaDB, ${differences} differences injected; faster of two runs per mode; both modes found exactly the injected keys\n\n${table}\n\nJSON: ${file}\n`,
    );
  } finally {
    await source.end();
    await target.end();
    await crm.drop();
    await erp.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nbench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

/**
 * Times reconcile digests (DigestSupport.digestBuckets at width 2^20, 4096 buckets) on a
 * 1,000,000-row table in PostgreSQL, MariaDB and SQLite holding the same rows, and checks that all
 * three compute the same bucket digests. Run: `npx tsx bench/digest-buckets.ts [rows]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlConnector } from '../src/connectors/mysql/index.js';
import { postgresConnector } from '../src/connectors/postgres/index.js';
import { sqliteConnector } from '../src/connectors/sqlite/index.js';
import type { Connector } from '../src/core/connector.js';
import type { BucketDigest, DigestSpec } from '../src/core/digest.js';
import { silentLogger } from '../src/core/logger.js';
import { createMysqlDatabase, createPostgresDatabase } from '../test/support/databases.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const WIDTH = 2 ** 20;
const RUNS = 3;
const signal = new AbortController().signal;

const spec: DigestSpec = {
  flow: 'bench',
  table: 'accounts',
  key: 'id',
  columns: [
    { type: 'column', column: 'name', as: 'text' },
    { type: 'column', column: 'credit', as: 'number' },
    { type: 'column', column: 'updated_at', as: 'instant' },
  ],
  read: ['id'],
};

async function time(label: string, connector: Connector): Promise<BucketDigest[]> {
  const digests = connector.digests;
  if (digests === undefined) throw new Error(`${label} has no digests`);
  let result: BucketDigest[] = [];
  const seconds: string[] = [];
  for (const excludeFlagged of [undefined, 'is_deleted']) {
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const level = { width: WIDTH };
      const digest = await digests.digestBuckets(
        excludeFlagged === undefined ? spec : { ...spec, excludeFlagged },
        level,
        signal,
      );
      seconds.push(((performance.now() - started) / 1000).toFixed(2));
      if (excludeFlagged === undefined) result = digest;
    }
    console.log(
      `${label}${excludeFlagged === undefined ? '' : ' (excludeFlagged)'}: ${seconds.splice(0).join(' s, ')} s`,
    );
  }
  const rows = result.reduce((sum, bucket) => sum + bucket.rows, 0);
  console.log(`${label}: ${result.length} buckets, ${rows} rows`);
  return result;
}

async function postgres(): Promise<BucketDigest[]> {
  const database = await createPostgresDatabase('digestbench');
  try {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, name text, credit numeric(18,4),
      updated_at timestamptz(6), is_deleted boolean)`);
    await client.query(
      `INSERT INTO accounts SELECT g, 'name ' || g || ' 客户', (g % 100000) / 100.0 - 250,
         timestamptz '2026-01-01 00:00:00+00' + g * interval '1.000001 second', g % 50 = 0
       FROM generate_series(1, $1::int) g`,
      [ROWS],
    );
    await client.query('VACUUM ANALYZE accounts');
    await client.end();
    const config = postgresConnector.configSchema.parse({ type: 'postgres', url: database.url });
    const connector = postgresConnector.create(config, { name: 'bench', logger: silentLogger });
    try {
      return await time('PostgreSQL 15', connector);
    } finally {
      await connector.close();
    }
  } finally {
    await database.drop();
  }
}

async function mariadb(): Promise<BucketDigest[]> {
  const database = await createMysqlDatabase('digestbench');
  try {
    const connection = await mysql.createConnection({ uri: database.url });
    await connection.query("SET time_zone = '+00:00'");
    await connection.query(`CREATE TABLE accounts (id BIGINT PRIMARY KEY, name VARCHAR(255), credit DECIMAL(18,4),
      updated_at DATETIME(6), is_deleted BOOLEAN) ENGINE=InnoDB`);
    await connection.query(
      `INSERT INTO accounts SELECT seq, CONCAT('name ', seq, ' 客户'), (seq % 100000) / 100.0 - 250,
         TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq * 1000001 MICROSECOND, seq % 50 = 0
       FROM seq_1_to_${ROWS}`,
    );
    await connection.query('ANALYZE TABLE accounts');
    await connection.end();
    const config = mysqlConnector.configSchema.parse({ type: 'mysql', url: database.url });
    const connector = mysqlConnector.create(config, { name: 'bench', logger: silentLogger });
    try {
      return await time('MariaDB 10.11', connector);
    } finally {
      await connector.close();
    }
  } finally {
    await database.drop();
  }
}

async function sqlite(): Promise<BucketDigest[]> {
  const directory = mkdtempSync(join(tmpdir(), 'syncline-digest-bench-'));
  try {
    const path = join(directory, 'bench.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, credit DECIMAL TEXT(18,4),
      updated_at TIMESTAMPTZ, is_deleted BOOLEAN)`);
    // The same values as the servers hold, in the text the SQLite connector keeps.
    const insert = db.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?, ?)');
    const start = Date.UTC(2026, 0, 1);
    db.transaction(() => {
      for (let id = 1; id <= ROWS; id++) {
        const micros = id * 1_000_001;
        const at = new Date(start + Math.floor(micros / 1000)).toISOString().slice(0, 19);
        const credit = ((id % 100_000) - 25_000) / 100;
        insert.run(
          id,
          `name ${id} 客户`,
          credit.toFixed(4),
          `${at}.${String(micros % 1_000_000).padStart(6, '0')}Z`,
          id % 50 === 0 ? 1 : 0,
        );
      }
    })();
    db.close();
    const config = sqliteConnector.configSchema.parse({ type: 'sqlite', path });
    const connector = sqliteConnector.create(config, { name: 'bench', logger: silentLogger });
    try {
      return await time('SQLite (JS functions)', connector);
    } finally {
      await connector.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const results = [
  await postgres(),
  await mariadb(),
  ...(process.env.SKIP_SQLITE === '1' ? [] : [await sqlite()]),
];
const first = JSON.stringify(results[0]);
console.log(
  results.every((result) => JSON.stringify(result) === first)
    ? 'All databases computed identical bucket digests.'
    : 'The databases computed DIFFERENT bucket digests.',
);

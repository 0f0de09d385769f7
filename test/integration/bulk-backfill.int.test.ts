import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import type { Change, ChangeBatch, Connector, ReadRange } from '../../src/core/connector.js';
import { runCycle } from '../../src/core/cycle.js';
import { flowStatuses } from '../../src/operations/flow-status.js';
import type { Logger } from '../../src/core/logger.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  postgresTestPool,
  type TestDatabase,
} from '../support/databases.js';

// Issue 13: the bulk path of an initial load (Connector.bulkInsert: PostgreSQL COPY straight into
// the table, MariaDB LOAD DATA LOCAL INFILE). Real PostgreSQL source, PostgreSQL and MariaDB
// targets: every value exact, rows changed while the backfill runs are not lost at the handover,
// a bad record in a bulk chunk is quarantined alone with its reason, and a target that already
// holds rows of a "new" batch (the batch in flight at a kill -9) is upserted the normal way.

const ROWS = 2_500;
const BATCH = 1_000;
const BAD_KEY = 1_234;

let crm: TestDatabase;
let erpPostgres: TestDatabase;
let erpMysql: TestDatabase;
let source: pg.Pool;
let targetPostgres: pg.Pool;
let targetMysql: mysql.Pool;
let dir: string;

/** Values that make a text format work: tabs, newlines, backslashes, `\N`, quotes, CJK, emoji. */
const AWKWARD_NAMES = [
  'tab\there',
  'line\nbreak',
  'back\\slash',
  '\\N',
  'it\'s "quoted"',
  '客户 😀',
  'cr\rlf',
];

beforeAll(async () => {
  [crm, erpPostgres, erpMysql] = await Promise.all([
    createPostgresDatabase('bulk_crm'),
    createPostgresDatabase('bulk_erp'),
    createMysqlDatabase('bulk_erp'),
  ]);
  source = postgresTestPool({ connectionString: crm.url, max: 2 });
  targetPostgres = postgresTestPool({ connectionString: erpPostgres.url, max: 2 });
  targetMysql = mysql.createPool({ uri: erpMysql.url, connectionLimit: 2, dateStrings: true, timezone: 'Z' });
  dir = mkdtempSync(join(tmpdir(), 'syncline-bulk-'));
});

afterAll(async () => {
  await Promise.all([source.end(), targetPostgres.end(), targetMysql.end()]);
  await Promise.all([crm.drop(), erpPostgres.drop(), erpMysql.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh source table `name` of ROWS rows; the row BAD_KEY has a negative credit limit when `withBad`. */
async function createSource(name: string, withBad: boolean): Promise<void> {
  await source.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, name text NOT NULL,
    credit numeric(16,2) NOT NULL, opened timestamptz, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await source.query(
    `INSERT INTO ${name} (id, name, credit, opened)
     SELECT g, ($1::text[])[1 + g % ${AWKWARD_NAMES.length}] || ' ' || g,
            CASE WHEN $2 AND g = ${BAD_KEY} THEN -1 ELSE (g * 1234.56 + 0.07)::numeric(16,2) END,
            CASE WHEN g % 10 = 0 THEN NULL ELSE timestamptz '2024-03-10 01:59:59.123456+00' + g * interval '1 hour' END
     FROM generate_series(1, ${ROWS}) g`,
    [AWKWARD_NAMES, withBad],
  );
}

async function createTargets(name: string): Promise<void> {
  await targetPostgres.query(`CREATE TABLE ${name} (crm_id bigint PRIMARY KEY, name text NOT NULL,
    credit numeric(16,2) NOT NULL CHECK (credit >= 0), opened timestamptz)`);
  await targetMysql.query(`CREATE TABLE ${name} (crm_id bigint PRIMARY KEY, name varchar(200) NOT NULL,
    credit decimal(16,2) NOT NULL, opened datetime(6), CONSTRAINT ${name}_credit CHECK (credit >= 0))
    CHARACTER SET utf8mb4`);
}

/** Every row of a table as `id|name|credit|opened (UTC, microseconds)`, in key order. */
async function sourceRows(name: string, except: readonly number[] = []): Promise<string[]> {
  const { rows } = await source.query<{ line: string }>(
    `SELECT id || '|' || name || '|' || credit::text || '|' ||
            coalesce(to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), 'NULL') AS line
     FROM ${name} WHERE NOT (id = ANY($1::bigint[])) ORDER BY id`,
    [except],
  );
  return rows.map((row) => row.line);
}

async function targetRows(type: 'postgres' | 'mysql', name: string): Promise<string[]> {
  if (type === 'postgres') {
    const { rows } = await targetPostgres.query<{ line: string }>(
      `SELECT crm_id || '|' || name || '|' || credit::text || '|' ||
              coalesce(to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), 'NULL') AS line
       FROM ${name} ORDER BY crm_id`,
    );
    return rows.map((row) => row.line);
  }
  const [rows] = await targetMysql.query<mysql.RowDataPacket[]>(
    `SELECT CONCAT(crm_id, '|', name, '|', CAST(credit AS CHAR), '|',
            COALESCE(DATE_FORMAT(opened, '%Y-%m-%d %H:%i:%s.%f'), 'NULL')) AS line
     FROM ${name} ORDER BY crm_id`,
  );
  return rows.map((row) => String(row.line));
}

/** Opens an engine on a one-flow config from `source` into `table` of the typed target. */
async function engineFor(
  type: 'postgres' | 'mysql',
  table: string,
  logLines: string[],
  options: { readonly bulk?: boolean; readonly lanes?: number; readonly batch?: number } = {},
): Promise<Engine & { logger: Logger }> {
  const backfill = [
    ...(options.bulk === false ? ['bulk: false'] : []),
    ...(options.lanes === undefined ? [] : [`lanes: ${options.lanes}`]),
  ];
  const path = join(dir, `${table}-${type}.yaml`);
  const url = type === 'postgres' ? erpPostgres.url : erpMysql.url;
  writeFileSync(
    path,
    `state: sqlite:${join(dir, `${table}-${type}.db`)}
connections:
  crm: { type: postgres, url: "${crm.url}" }
  erp: { type: ${type}, url: "${url}"${type === 'mysql' ? ', timezone: "+00:00"' : ''} }
flows:
  accounts:
    source: { connection: crm, table: ${table}, key: id, cursor: updated_at, lookback: 10m }
    target: { connection: erp, table: ${table}, key: crm_id }
    batch: ${options.batch ?? BATCH}${backfill.length === 0 ? '' : `\n    backfill: { ${backfill.join(', ')} }`}
    fields:
      name: name
      credit: { from: credit, type: decimal }
      opened: { from: opened, type: timestamp }
    retry: { attempts: 1 }
`,
  );
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => logLines.push(message),
    warn: (message) => logLines.push(message),
    error: (message) => logLines.push(message),
    child: () => logger,
  };
  return openEngine(path, () => logger);
}

/** Wraps what the source reads: its change batches, or (partitioned backfill) each lane's range. */
interface Around {
  readonly readChanges?: (batches: AsyncIterable<ChangeBatch>) => AsyncIterable<ChangeBatch>;
  readonly readRange?: (
    pages: AsyncIterable<readonly Change[]>,
    range: ReadRange,
  ) => AsyncIterable<readonly Change[]>;
}

/** Runs one cycle of the engine's flow, with `around` wrapping the source's reads when given. */
async function cycle(
  engine: Engine & { logger: Logger },
  around?: Around['readChanges'] | Around,
): ReturnType<typeof runCycle> {
  const flow = engine.flow('accounts');
  const real = engine.connector(flow.sourceConnection);
  const wrap: Around = typeof around === 'function' ? { readChanges: around } : (around ?? {});
  const sourceConnector = new Proxy(real, {
    get(target, property) {
      if (property === 'readChanges' && wrap.readChanges !== undefined) {
        const outer = wrap.readChanges;
        return (...args: Parameters<Connector['readChanges']>) => outer(target.readChanges(...args));
      }
      if (property === 'readRange' && wrap.readRange !== undefined && target.readRange !== undefined) {
        const outer = wrap.readRange;
        const inner = target.readRange.bind(target);
        return (...args: Parameters<NonNullable<Connector['readRange']>>) => outer(inner(...args), args[1]);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  const logger = engine.logger;
  return runCycle(
    flow,
    { source: sourceConnector, target: engine.connector(flow.targetConnection), state: engine.state, logger },
    { trigger: 'manual', signal: new AbortController().signal },
  );
}

describe.each(['postgres', 'mysql'] as const)('bulk backfill PostgreSQL → %s', (type) => {
  it('loads a new flow in bulk with exact values, and rows changed during the backfill are not lost at the handover', async () => {
    const table = `exact_${type}`;
    await createSource(table, false);
    await createTargets(table);
    const logLines: string[] = [];
    const engine = await engineFor(type, table, logLines);
    try {
      let batches = 0;
      const result = await cycle(engine, async function* (inner) {
        for await (const batch of inner) {
          yield batch;
          batches += 1;
          if (batches !== 1) continue;
          // Commits while the scan runs: a row already scanned, a row not yet scanned, a new row
          // (above the scan's end), and a row whose cursor ties with another's.
          await source.query(
            `UPDATE ${table} SET name = 'late ' || id, credit = credit + 0.01, updated_at = clock_timestamp() WHERE id IN (5, 2400)`,
          );
          await source.query(
            `INSERT INTO ${table} (id, name, credit, opened, updated_at)
             SELECT ${ROWS + 1}, 'tie', 1.10, NULL, updated_at FROM ${table} WHERE id = 5`,
          );
        }
      });
      expect(result).toMatchObject({ status: 'succeeded', counts: { quarantined: 0, failed: 0 } });
      expect(logLines).toContainEqual(
        expect.stringMatching(/^bulk path: [1-9]\d* batch\(es\) loaded in bulk/),
      );

      // The next cycle reads from the high-water mark taken before the scan: the late rows arrive.
      expect((await cycle(engine)).status).toBe('succeeded');
      expect(await targetRows(type, table)).toEqual(await sourceRows(table));
      expect(await targetRows(type, table)).toContainEqual(expect.stringMatching(/^5\|late 5\|/));
    } finally {
      await engine.close();
    }
  });

  it('keeps every batch on the upsert path with backfill.bulk: false', async () => {
    const table = `upsert_${type}`;
    await createSource(table, false);
    await createTargets(table);
    const logLines: string[] = [];
    const engine = await engineFor(type, table, logLines, { bulk: false });
    try {
      expect((await cycle(engine)).status).toBe('succeeded');
      expect(logLines.filter((line) => line.startsWith('bulk path:'))).toEqual([]);
      expect(await targetRows(type, table)).toEqual(await sourceRows(table));
    } finally {
      await engine.close();
    }
  });

  it('quarantines a bad record of a bulk chunk with its reason and writes the rest of the chunk', async () => {
    const table = `bad_${type}`;
    await createSource(table, true);
    await createTargets(table);
    const logLines: string[] = [];
    const engine = await engineFor(type, table, logLines);
    try {
      const result = await cycle(engine);
      expect(result).toMatchObject({ status: 'succeeded', counts: { failed: 1, written: ROWS - 1 } });
      expect(logLines).toContainEqual(
        expect.stringMatching(/written the normal way after the target refused/),
      );
      const letters = await engine.state.listDeadLetters({ flow: 'accounts', limit: 100 });
      expect(letters.map((letter) => [letter.key, letter.kind])).toEqual([[String(BAD_KEY), 'write']]);
      expect(letters[0]?.reason).toMatch(/check|constraint/i);
      expect(await targetRows(type, table)).toEqual(await sourceRows(table, [BAD_KEY]));
    } finally {
      await engine.close();
    }
  });

  it('upserts a "new" batch the target already holds (the batch in flight at a kill -9) the normal way', async () => {
    const table = `resume_${type}`;
    await createSource(table, false);
    await createTargets(table);
    // What a process killed after the target committed a batch but before the state store did
    // leaves behind: rows at the target that the key map does not know, here with stale values.
    const stale = `INSERT INTO ${table} (crm_id, name, credit, opened) VALUES (1, 'stale', 0, NULL), (2, 'stale', 0, NULL)`;
    if (type === 'postgres') await targetPostgres.query(stale);
    else await targetMysql.query(stale);
    const logLines: string[] = [];
    const engine = await engineFor(type, table, logLines);
    try {
      expect((await cycle(engine)).status).toBe('succeeded');
      expect(logLines).toContainEqual(expect.stringMatching(/1 written the normal way/));
      expect(await targetRows(type, table)).toEqual(await sourceRows(table));
    } finally {
      await engine.close();
    }
  });
});

// Partitioned backfill (`backfill: { lanes: N }`, core/backfill-lanes.ts): the key space split into
// ranges written concurrently, each lane with its own checkpoint, handing over to the flow's
// incremental checkpoint at the high-water mark taken before the scan.
describe.each(['postgres', 'mysql'] as const)('partitioned backfill PostgreSQL → %s', (type) => {
  const LANE_BATCH = 500;

  /** The flow's backfill checkpoints (plan and lanes) as stored, by name. */
  async function laneCheckpoints(engine: Engine): Promise<Record<string, unknown>> {
    const names = ['accounts:lanes', ...[0, 1, 2, 3].map((lane) => `accounts:lane-${lane}`)];
    const entries = await Promise.all(
      names.map(async (name) => [name, await engine.state.getCheckpoint(name)] as const),
    );
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  }

  it('writes the key ranges in concurrent lanes with exact values and loses no row changed during the scan', async () => {
    const table = `lanes_${type}`;
    await createSource(table, false);
    await createTargets(table);
    const logLines: string[] = [];
    const engine = await engineFor(type, table, logLines, { lanes: 4, batch: LANE_BATCH });
    try {
      const ranges: ReadRange[] = [];
      let running = 0;
      let mostAtOnce = 0;
      let changed = false;
      const result = await cycle(engine, {
        readRange: async function* (pages, range) {
          ranges.push(range);
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          try {
            for await (const page of pages) {
              yield page;
              if (changed) continue;
              changed = true;
              // Commits while the lanes run: a row of a lane already read, a row of the last lane,
              // and a new row above every key whose cursor ties with another's.
              await source.query(
                `UPDATE ${table} SET name = 'late ' || id, credit = credit + 0.01, updated_at = clock_timestamp() WHERE id IN (5, 2400)`,
              );
              await source.query(
                `INSERT INTO ${table} (id, name, credit, opened, updated_at)
                 SELECT ${ROWS + 1}, 'tie', 1.10, NULL, updated_at FROM ${table} WHERE id = 5`,
              );
            }
          } finally {
            running -= 1;
          }
        },
      });
      expect(result).toMatchObject({ status: 'succeeded', counts: { quarantined: 0, failed: 0 } });
      // Four disjoint ranges, the first and last open-ended, read at the same time.
      expect(logLines).toContainEqual(
        expect.stringMatching(/^backfill in 4 lanes: \[… – 625\], \[626 – 1250\]/),
      );
      expect(ranges.map((range) => [range.fromKey ?? null, range.toKey ?? null])).toEqual(
        expect.arrayContaining([
          [null, 625],
          [626, 1250],
          [1251, 1875],
          [1876, null],
        ]),
      );
      expect(mostAtOnce).toBeGreaterThan(1);
      expect(logLines).toContainEqual(
        expect.stringMatching(/^bulk path: [1-9]\d* batch\(es\) loaded in bulk/),
      );
      // The same cycle read on from the high-water mark: the late rows are there, the lanes forgotten.
      expect(await targetRows(type, table)).toEqual(await sourceRows(table));
      expect(await targetRows(type, table)).toContainEqual(expect.stringMatching(/^5\|late 5\|/));
      expect(await laneCheckpoints(engine)).toEqual({});
      expect(await engine.state.getCheckpoint('accounts')).toMatchObject({ phase: 'incremental' });
    } finally {
      await engine.close();
    }
  });

  it('resumes each lane from its own checkpoint after the cycle broke off, writing every row once', async () => {
    const table = `lanes_resume_${type}`;
    await createSource(table, false);
    await createTargets(table);
    const engine = await engineFor(type, table, [], { lanes: 4, batch: LANE_BATCH });
    try {
      const broken = await cycle(engine, {
        readRange: async function* (pages, range) {
          let page = 0;
          for await (const changes of pages) {
            yield changes;
            page += 1;
            // The third lane fails after its first page, as a process killed there would stop.
            if (range.fromKey === 1251 && page === 1) throw new Error('source connection reset by peer');
          }
        },
      });
      expect(broken.status).toBe('failed');
      const stored = await laneCheckpoints(engine);
      expect(Array.isArray((stored['accounts:lanes'] as { ranges?: unknown }).ranges)).toBe(true);
      expect(stored['accounts:lane-2']).toEqual({ after: 1750, done: false });
      expect(await engine.state.getCheckpoint('accounts')).toBeUndefined();
      // `status` (and GET /api/v1/flows) shows the lanes and how far each got.
      const [status] = await flowStatuses(engine.operations, { flow: 'accounts' });
      expect(status?.backfill?.lanes).toHaveLength(4);
      expect(status?.backfill?.lanes[2]).toEqual({ fromKey: 1251, toKey: 1875, after: 1750, done: false });
      const firstWritten = broken.counts.written;
      expect(firstWritten).toBeLessThan(ROWS);

      const reread: ReadRange[] = [];
      let rereadRows = 0;
      const resumed = await cycle(engine, {
        readRange: async function* (pages, range) {
          reread.push(range);
          for await (const changes of pages) {
            rereadRows += changes.length;
            yield changes;
          }
        },
      });
      expect(resumed.status).toBe('succeeded');
      // The broken lane goes on from its last committed key (read once more: bounds are inclusive);
      // lanes that had finished are not read again, and no lane starts over.
      expect(reread).toContainEqual({ fromKey: 1750, toKey: 1875 });
      const finished = Object.values(stored).filter((lane) => (lane as { done?: boolean }).done === true);
      expect(reread.length).toBe(4 - finished.length);
      expect(rereadRows).toBeLessThanOrEqual(ROWS - firstWritten + reread.length);
      // Only what the first cycle had not committed is written again.
      expect(firstWritten + resumed.counts.written).toBe(ROWS);
      expect(await targetRows(type, table)).toEqual(await sourceRows(table));
      expect(await laneCheckpoints(engine)).toEqual({});
    } finally {
      await engine.close();
    }
  });

  it('quarantines a bad record of a lane alone and writes the rest', async () => {
    const table = `lanes_bad_${type}`;
    await createSource(table, true);
    await createTargets(table);
    const engine = await engineFor(type, table, [], { lanes: 3, batch: LANE_BATCH });
    try {
      const result = await cycle(engine);
      expect(result).toMatchObject({ status: 'succeeded', counts: { failed: 1, written: ROWS - 1 } });
      const letters = await engine.state.listDeadLetters({ flow: 'accounts', limit: 100 });
      expect(letters.map((letter) => [letter.key, letter.kind])).toEqual([[String(BAD_KEY), 'write']]);
      expect(await targetRows(type, table)).toEqual(await sourceRows(table, [BAD_KEY]));
    } finally {
      await engine.close();
    }
  });
});

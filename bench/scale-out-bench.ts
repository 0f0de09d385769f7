/**
 * `npm run bench:scale-out` (and `npm run bench` with BENCH_SCALE_OUT=1; about 10 minutes at the
 * default sizes, so `npm run bench` skips it otherwise): the BullMQ runtime
 * against the local one. Part 1 (`backfill`): a partitioned backfill of BENCH_ROWS rows
 * PostgreSQL → PostgreSQL in BENCH_SCALE_LANES lanes, by `syncline run --once` (the baseline) and by
 * a scheduler with 1, 2, 4 workers (BENCH_WORKERS), each verified by row count and per-row md5.
 * Part 2 (`flows`): BENCH_FLOWS near-empty flows every second on one scheduler and 2 workers:
 * start-up, cycles/s, scheduler CPU, Redis commands per cycle. Runs the compiled CLI (dist/), on a
 * redis-server of its own; the state store is BENCH_STATE (default an SQLite file). Prints
 * markdown tables and writes JSON to bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStateStore } from '../src/cli/state-store-factory.js';
import { createPostgresDatabase, type TestDatabase } from '../test/support/databases.js';
import { postgresDigest } from './checksum.js';
import { createSourceTable } from './data-generator.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { runBullmqCase, runLocalCase, type BackfillCase } from './scale-out-backfill.js';
import { createFlowTables, runFlowsPart, type FlowsResult } from './scale-out-flows.js';
import { backfillMarkdown, flowsMarkdown } from './scale-out-report.js';
import { readScaleOutSettings } from './scale-out-settings.js';

const RESULTS_DIRECTORY = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const SOURCE_TABLE = 'customers';

const log = (message: string): void => {
  process.stderr.write(`[bench scale-out ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

async function main(): Promise<void> {
  // `npm run bench` runs this part only when asked: at the default sizes it takes about 10 minutes.
  if (process.argv.includes('--when-enabled') && process.env['BENCH_SCALE_OUT'] !== '1') {
    log('skipped (BENCH_SCALE_OUT=1 runs it; npm run bench:scale-out runs it alone)');
    return;
  }
  const settings = readScaleOutSettings();
  const undo: (() => Promise<void>)[] = [];
  try {
    const workDir = mkdtempSync(join(tmpdir(), 'syncline-scale-out-'));
    undo.push(() => {
      rmSync(workDir, { recursive: true, force: true });
      return Promise.resolve();
    });
    const databases: TestDatabase[] = [];
    undo.push(async () => {
      for (const database of databases) await database.drop();
    });
    const sourceDb = await createPostgresDatabase('scalesource');
    databases.push(sourceDb);
    const targetDb = await createPostgresDatabase('scaletarget');
    databases.push(targetDb);
    const source = new pg.Client({ connectionString: sourceDb.url });
    await source.connect();
    undo.push(() => source.end());
    const target = new pg.Client({ connectionString: targetDb.url });
    await target.connect();
    undo.push(() => target.end());
    const redis: PrivateRedis = await startPrivateRedis();
    undo.push(() => redis.stop());
    const stateUrl = settings.stateUrl ?? `sqlite:${join(workDir, 'state.db')}`;
    const state = await openStateStore(stateUrl);
    undo.push(() => state.close());
    log(
      `state store ${stateUrl.replace(/\/\/[^@/]*@/, '//…@')}, Redis ${redis.url} (private), scratch ${workDir}`,
    );

    const backfill: BackfillCase[] = [];
    if (settings.parts.includes('backfill')) {
      log(`generating ${settings.rows} rows in ${SOURCE_TABLE} (not timed)`);
      await createSourceTable(source, SOURCE_TABLE, settings.rows);
      const sourceDigest = await postgresDigest(source, SOURCE_TABLE, 'id');
      const env = {
        sourceUrl: sourceDb.url,
        targetUrl: targetDb.url,
        target,
        sourceTable: SOURCE_TABLE,
        sourceDigest,
        redis,
        stateUrl,
        workDir,
        log,
      };
      const record = (result: BackfillCase): void => {
        backfill.push(result);
        log(
          `${result.runtime} ${result.workers} worker(s): ${result.runSeconds.toFixed(2)} s, ${Math.round(result.rowsPerSecond)} rows/s — verified`,
        );
      };
      await source.query('CHECKPOINT');
      record(await runLocalCase(env, settings, state));
      for (const workers of settings.workers) {
        await source.query('CHECKPOINT');
        record(await runBullmqCase(env, settings, state, workers));
      }
    }

    let flows: FlowsResult | undefined;
    if (settings.parts.includes('flows')) {
      const env = {
        sourceUrl: sourceDb.url,
        targetUrl: targetDb.url,
        source,
        target,
        redis,
        stateUrl,
        workDir,
        log,
      };
      log(`creating ${settings.flows} source and target tables (not timed)`);
      await createFlowTables(env, settings.flows);
      flows = await runFlowsPart(env, settings, state);
    }

    const date = new Date().toISOString();
    mkdirSync(RESULTS_DIRECTORY, { recursive: true });
    const file = join(RESULTS_DIRECTORY, `scale-out-${date.replace(/:/g, '-')}.json`);
    const machine = {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 1024 / 1024),
    };
    const written = {
      ...settings,
      postgresAdminUrl: undefined,
      stateUrl: stateUrl.startsWith('sqlite:') ? 'sqlite (scratch file)' : 'BENCH_STATE',
    };
    writeFileSync(
      file,
      `${JSON.stringify({ date, machine, settings: written, backfill, flows }, null, 2)}\n`,
    );
    process.stdout.write(
      `\nSyncline scale-out bench — node ${process.version}, ${cpus().length} CPUs\n\n` +
        (backfill.length > 0 ? `${backfillMarkdown(backfill)}\n\n` : '') +
        (flows === undefined ? '' : `${flowsMarkdown(flows)}\n\n`) +
        `JSON: ${file}\n`,
    );
  } finally {
    for (const step of undo.reverse())
      await step().catch((error: unknown) => {
        log(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nscale-out bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

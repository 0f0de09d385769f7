/**
 * `npm run bench`: Syncline's backfill rate, peak RSS and incremental cycle time, PostgreSQL →
 * PostgreSQL and PostgreSQL → MariaDB, each beside baselines measured in the same run (the bulk
 * pipe of the pair and a plain keyset-read + multi-row-upsert loop). Every case is checked against
 * the source (row count + md5 digest) and the run fails loudly on a mismatch. Prints a markdown
 * table and writes JSON to bench/results/. Row count: BENCH_ROWS (default 1,000,000). Last comes
 * the realtime change-to-target latency (realtime-latency.ts) beside the bare LISTEN/NOTIFY round trip.
 */
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FLOW_DEFAULTS } from '../src/core/flow.js';
import { pipePostgresToMysql, pipePostgresToPostgres, runPlainLoop, type PipeMeasure } from './baselines.js';
import { setUpEnvironment, type BenchEnvironment } from './bench-environment.js';
import { readBenchSettings, type BenchSettings } from './bench-settings.js';
import { assertSameDigest, mysqlDigest, postgresDigest, type TableDigest } from './checksum.js';
import { stopRunningChildren, type ChildReport } from './child-process.js';
import {
  averageRowBytes,
  changeRandomRows,
  createMysqlTarget,
  createPostgresTarget,
  createSourceTable,
  highWaterMark,
  type CursorPosition,
} from './data-generator.js';
import {
  incrementalScaling,
  kbToMb,
  markdownReport,
  writeResults,
  type CaseResult,
  type Method,
  type Pair,
} from './report.js';
import { customersFlowConfig, runSynclineCycle } from './syncline-cycle.js';
import { runRealtimeLatencyBench } from './realtime-latency.js';
import { realtimeMarkdown } from './realtime-report.js';

const LARGE_TABLE = 'customers';
const SMALL_TABLE = 'customers_small';
const RESULTS_DIRECTORY = fileURLToPath(new URL('../../bench/results/', import.meta.url));

/** One target database of the bench and how to read it back. */
interface BenchTarget {
  readonly pair: Pair;
  readonly type: 'postgres' | 'mysql';
  readonly url: string;
  readonly createTable: (table: string) => Promise<void>;
  readonly digest: (table: string) => Promise<TableDigest>;
  readonly pipe: (sourceTable: string, targetTable: string) => Promise<PipeMeasure>;
}

/** A source table and what the cases compare against. */
interface SourceTable {
  readonly name: string;
  readonly rows: number;
  digest: TableDigest;
  /** Newest (updated_at, id) before the changes: where the plain loop's incremental pass resumes. */
  readonly highWater: CursorPosition;
}

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/**
 * Flushes the dirty pages the previous case left in PostgreSQL (one server holds the source and the
 * PostgreSQL target, and shares the disk with MariaDB), so a timed case does not pay for another.
 */
async function settle(env: BenchEnvironment): Promise<void> {
  await env.source.query('CHECKPOINT');
}

function targetsOf(env: BenchEnvironment): BenchTarget[] {
  const pipeOptions = (url: string) => (sourceTable: string, targetTable: string) => ({
    sourceUrl: env.sourceUrl,
    sourceTable,
    targetUrl: url,
    targetTable,
    workDir: env.workDir,
  });
  const postgresPipe = pipeOptions(env.postgresTargetUrl);
  const mysqlPipe = pipeOptions(env.mysqlTargetUrl);
  return [
    {
      pair: 'PG→PG',
      type: 'postgres',
      url: env.postgresTargetUrl,
      createTable: (table) => createPostgresTarget(env.postgresTarget, table),
      digest: (table) => postgresDigest(env.postgresTarget, table, 'crm_id'),
      pipe: (sourceTable, targetTable) => pipePostgresToPostgres(postgresPipe(sourceTable, targetTable)),
    },
    {
      pair: 'PG→MariaDB',
      type: 'mysql',
      url: env.mysqlTargetUrl,
      createTable: (table) => createMysqlTarget(env.mysqlTarget, table),
      digest: (table) => mysqlDigest(env.mysqlTarget, table, 'crm_id'),
      pipe: (sourceTable, targetTable) => pipePostgresToMysql(mysqlPipe(sourceTable, targetTable)),
    },
  ];
}

/** Runs the backfills and incremental cycles, verifying each; returns the measured cases. */
async function runCases(
  env: BenchEnvironment,
  settings: BenchSettings,
  large: SourceTable,
  small: SourceTable,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const targets = targetsOf(env);
  const stateFile = `${env.workDir}/state.db`;
  // BENCH_UPSERT_PATH=1: Syncline's backfill once more with `backfill: { bulk: false }`, same run.
  const compareUpsertPath = process.env['BENCH_UPSERT_PATH'] === '1';
  const flowName = (target: BenchTarget, source: SourceTable): string =>
    `${source.name.replace(/_/g, '-')}-to-${target.type}`;
  const tableName = (source: SourceTable, method: string): string => `${source.name}_${method}`;

  const record = async (
    target: BenchTarget,
    phase: CaseResult['phase'],
    method: Method,
    source: SourceTable,
    targetTable: string,
    measure: { rows: number; ms: number; maxRssKb: number | undefined; details?: Record<string, unknown> },
  ): Promise<void> => {
    const label = `${phase} ${target.pair} · ${method} (${source.rows} rows)`;
    const verified = await target.digest(targetTable);
    assertSameDigest(label, source.digest, verified);
    const result: CaseResult = {
      phase,
      pair: target.pair,
      method,
      tableRows: source.rows,
      rows: measure.rows,
      seconds: measure.ms / 1000,
      peakRssMb: kbToMb(measure.maxRssKb),
      verified,
      ...(measure.details === undefined ? {} : { details: measure.details }),
    };
    results.push(result);
    log(
      `${label}: ${result.seconds.toFixed(3)} s, ${Math.round(result.rows / result.seconds)} rows/s, peak RSS ${result.peakRssMb ?? '—'} MB — verified`,
    );
  };

  // The first BENCH_LANES entry is the flow of the incremental cycles; the others backfill their own table.
  const [firstLanes = 1] = settings.lanes;
  const synclineMethod = (lanes: number): string =>
    lanes === firstLanes ? 'syncline' : `syncline_l${lanes}`;
  const synclineCycle = (
    target: BenchTarget,
    source: SourceTable,
    options: { readonly bulk?: boolean; readonly lanes?: number } = {},
  ): Promise<ChildReport> => {
    const lanes = options.lanes ?? firstLanes;
    const method = options.bulk === false ? 'upsert' : synclineMethod(lanes);
    return runSynclineCycle({
      flowName: `${flowName(target, source)}${method === 'syncline' ? '' : `-${method.replace(/_/g, '-')}`}`,
      flow: customersFlowConfig(source.name, tableName(source, method), settings.batch, {
        ...options,
        lanes,
      }),
      sourceUrl: env.sourceUrl,
      targetType: target.type,
      targetUrl: target.url,
      stateFile,
    });
  };
  const plainLoop = (
    target: BenchTarget,
    source: SourceTable,
    mode: 'backfill' | 'incremental',
  ): Promise<ChildReport> =>
    runPlainLoop({
      mode,
      target: target.type,
      sourceUrl: env.sourceUrl,
      sourceTable: source.name,
      targetUrl: target.url,
      targetTable: tableName(source, 'plain'),
      batch: settings.batch,
      ...(mode === 'incremental' ? { after: source.highWater } : {}),
    });

  for (const target of targets) {
    const synclineMethods = settings.lanes.map(synclineMethod);
    for (const method of ['pipe', 'plain', ...synclineMethods, ...(compareUpsertPath ? ['upsert'] : [])])
      await target.createTable(tableName(large, method));
    for (const method of ['plain', 'syncline']) await target.createTable(tableName(small, method));

    log(`backfill ${target.pair}: bulk pipe`);
    await settle(env);
    const pipe = await target.pipe(large.name, tableName(large, 'pipe'));
    await record(target, 'backfill', 'bulk pipe', large, tableName(large, 'pipe'), {
      rows: large.rows,
      ...pipe,
    });

    log(`backfill ${target.pair}: plain loop`);
    await settle(env);
    const plain = await plainLoop(target, large, 'backfill');
    await record(target, 'backfill', 'plain loop', large, tableName(large, 'plain'), {
      ...plain,
      rows: large.rows,
    });

    for (const lanes of settings.lanes) {
      log(`backfill ${target.pair}: Syncline, backfill.lanes ${lanes}`);
      await settle(env);
      const syncline = await synclineCycle(target, large, { lanes });
      await record(target, 'backfill', 'Syncline', large, tableName(large, synclineMethod(lanes)), {
        ...syncline,
        rows: large.rows,
      });
    }

    if (compareUpsertPath) {
      log(`backfill ${target.pair}: Syncline, upsert path`);
      await settle(env);
      const upsert = await synclineCycle(target, large, { bulk: false });
      await record(target, 'backfill', 'Syncline, upsert path', large, tableName(large, 'upsert'), {
        ...upsert,
        rows: large.rows,
      });
    }

    // The small table's backfill is set-up for its incremental cycle, verified but not reported.
    await plainLoop(target, small, 'backfill');
    assertSameDigest(
      `backfill ${target.pair} · plain loop (small)`,
      small.digest,
      await target.digest(tableName(small, 'plain')),
    );
    await synclineCycle(target, small);
    assertSameDigest(
      `backfill ${target.pair} · Syncline (small)`,
      small.digest,
      await target.digest(tableName(small, 'syncline')),
    );
  }

  for (const source of [large, small]) {
    const changed = await changeRandomRows(env.source, source.name, source.rows, settings.changes);
    if (changed !== settings.changes)
      throw new Error(`expected to change ${settings.changes} rows of ${source.name}, changed ${changed}`);
    source.digest = await postgresDigest(env.source, source.name, 'id');
  }
  log(`changed ${settings.changes} rows of ${large.name} and of ${small.name}`);

  for (const target of targets) {
    for (const source of [large, small]) {
      const plain = await plainLoop(target, source, 'incremental');
      if (plain.rows !== settings.changes)
        throw new Error(`plain incremental pass read ${plain.rows} rows, expected ${settings.changes}`);
      await record(target, 'incremental', 'plain loop', source, tableName(source, 'plain'), {
        ...plain,
        rows: settings.changes,
      });
      const syncline = await synclineCycle(target, source);
      const written = Number(syncline.details?.written);
      if (written !== settings.changes)
        throw new Error(`Syncline incremental cycle wrote ${written} records, expected ${settings.changes}`);
      await record(target, 'incremental', 'Syncline', source, tableName(source, 'syncline'), {
        ...syncline,
        rows: settings.changes,
      });
    }
  }
  return results;
}

async function prepareSource(env: BenchEnvironment, name: string, rows: number): Promise<SourceTable> {
  log(`generating ${rows} rows in ${name} (not timed)`);
  await createSourceTable(env.source, name, rows);
  return {
    name,
    rows,
    digest: await postgresDigest(env.source, name, 'id'),
    highWater: await highWaterMark(env.source, name),
  };
}

async function main(): Promise<void> {
  const settings = readBenchSettings();
  const env = await setUpEnvironment(settings);
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the running case and dropping the bench databases`);
    stopRunningChildren();
    void env.cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const large = await prepareSource(env, LARGE_TABLE, settings.rows);
    const small = await prepareSource(env, SMALL_TABLE, settings.smallRows);
    const rowBytes = await averageRowBytes(env.source, LARGE_TABLE);
    const totalRowBytes = Number(
      (
        await env.source.query<{ bytes: string }>(
          `SELECT (pg_total_relation_size('${LARGE_TABLE}')::numeric / $1)::numeric(12,1)::text AS bytes`,
          [settings.rows],
        )
      ).rows[0]!.bytes,
    );
    env.notes.push(
      `Syncline flows use the default lookback (${FLOW_DEFAULTS.lookbackMs / 60_000} min): each incremental cycle re-reads the rows of the last minutes before its checkpoint and skips them by content hash; the plain loop has no lookback.`,
    );
    const cases = await runCases(env, settings, large, small);
    const scaling = incrementalScaling(cases, settings.rows, settings.smallRows);
    log('realtime change-to-target latency (bench/realtime-latency.ts)');
    const realtime = await runRealtimeLatencyBench();
    const date = new Date().toISOString();
    const file = writeResults(RESULTS_DIRECTORY, {
      date,
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryMb: Math.round(totalmem() / 1024 / 1024),
        ...env.serverVersions,
      },
      settings: {
        ...settings,
        postgresAdminUrl: undefined,
        mysqlAdminUrl: undefined,
        sourceHeapBytesPerRow: rowBytes,
        sourceTotalBytesPerRow: totalRowBytes,
      },
      notes: env.notes,
      cases,
      incrementalScaling: scaling,
      realtime,
    });
    process.stdout.write(
      `\nSyncline bench — ${settings.rows.toLocaleString('en-US')} rows (${rowBytes} B/row heap, ${totalRowBytes} B/row with indexes), ` +
        `batch ${settings.batch}, ${settings.changes} changes per incremental cycle; ` +
        `node ${process.version}, ${cpus().length} CPUs, ${env.serverVersions.postgres}, MariaDB ${env.serverVersions.mariadb}\n\n` +
        `${markdownReport(cases, scaling)}\n\n${realtimeMarkdown(realtime)}\n\n` +
        (env.notes.length > 0 ? `${env.notes.map((note) => `Note: ${note}`).join('\n')}\n` : '') +
        `Every case verified: target row count and md5 digest equal the source's.\nJSON: ${file}\n`,
    );
  } finally {
    await env.cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nbench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

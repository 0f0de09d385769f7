import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from '../test/support/databases.js';
import type { BenchSettings } from './bench-settings.js';

/** The databases, connections and scratch directory of one bench run. */
export interface BenchEnvironment {
  readonly sourceUrl: string;
  readonly postgresTargetUrl: string;
  readonly mysqlTargetUrl: string;
  /** The source database (PostgreSQL). */
  readonly source: pg.Client;
  readonly postgresTarget: pg.Client;
  readonly mysqlTarget: mysql.Connection;
  /** Scratch directory: SQLite state file, RSS files of the pipes. Removed by `cleanUp`. */
  readonly workDir: string;
  readonly serverVersions: { readonly postgres: string; readonly mariadb: string };
  /** Things the run changed or noticed that the reader should know (e.g. local_infile enabled). */
  readonly notes: string[];
  /** Drops the databases, restores server settings, removes the scratch directory. Safe to call twice. */
  cleanUp(): Promise<void>;
}

/**
 * Makes fresh databases (source and target on PostgreSQL, target on MariaDB) with the test
 * helpers, checks that MariaDB allows LOAD DATA LOCAL INFILE (and enables it for the run if not).
 * Whatever is made is undone by `cleanUp`, also when setup itself fails half way.
 */
export async function setUpEnvironment(settings: BenchSettings): Promise<BenchEnvironment> {
  const undo: (() => Promise<void>)[] = [];
  const notes: string[] = [];
  let cleaning: Promise<void> | undefined;
  const runUndo = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(
          `cleanup step failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
    }
  };
  // One cleanup, however many callers (the finally block and a signal handler) ask for it.
  const cleanUp = (): Promise<void> => (cleaning ??= runUndo());
  try {
    const workDir = mkdtempSync(join(tmpdir(), 'syncline-bench-'));
    undo.push(() => {
      rmSync(workDir, { recursive: true, force: true });
      return Promise.resolve();
    });
    const databases: TestDatabase[] = [];
    undo.push(async () => {
      for (const database of databases) await database.drop();
    });
    const sourceDb = await createPostgresDatabase('benchsource');
    databases.push(sourceDb);
    const postgresDb = await createPostgresDatabase('benchtarget');
    databases.push(postgresDb);
    const mysqlDb = await createMysqlDatabase('benchtarget');
    databases.push(mysqlDb);

    const source = new pg.Client({ connectionString: sourceDb.url });
    await source.connect();
    undo.push(() => source.end());
    const postgresTarget = new pg.Client({ connectionString: postgresDb.url });
    await postgresTarget.connect();
    undo.push(() => postgresTarget.end());
    const mysqlTarget = await mysql.createConnection(mysqlDb.url);
    undo.push(() => mysqlTarget.end());

    const [versionRows] = await mysqlTarget.query<mysql.RowDataPacket[]>(
      'SELECT VERSION() AS version, @@GLOBAL.local_infile AS local_infile',
    );
    const mariadb = String(versionRows[0]!.version);
    if (Number(versionRows[0]!.local_infile) !== 1) {
      await mysqlTarget.query('SET GLOBAL local_infile = 1');
      notes.push(
        'MariaDB had local_infile=OFF; the bench ran SET GLOBAL local_infile=1 for the LOAD DATA LOCAL INFILE baseline and set it back to OFF afterwards.',
      );
      undo.push(async () => {
        const admin = await mysql.createConnection(settings.mysqlAdminUrl);
        try {
          await admin.query('SET GLOBAL local_infile = 0');
        } finally {
          await admin.end();
        }
      });
    }
    const postgres =
      (await source.query<{ version: string }>("SELECT current_setting('server_version') AS version")).rows[0]
        ?.version ?? 'unknown';

    return {
      sourceUrl: sourceDb.url,
      postgresTargetUrl: postgresDb.url,
      mysqlTargetUrl: mysqlDb.url,
      source,
      postgresTarget,
      mysqlTarget,
      workDir,
      serverVersions: { postgres: `PostgreSQL ${postgres}`, mariadb },
      notes,
      cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

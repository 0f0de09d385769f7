import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoConfigText } from './demo-config.js';
import { seedCrm } from './demo-data.js';
import type { DemoRandom } from './demo-random.js';
import { createDemoDatabases, DEMO_FILES, DEMO_TABLE_PAIRS, openDemoDatabase } from './demo-schema.js';

/** Where the demo's files are. */
export interface DemoPaths {
  readonly dir: string;
  readonly crm: string;
  readonly erp: string;
  readonly state: string;
  readonly config: string;
}

/** The demo's paths inside a directory (resolved against the working directory). */
export function demoPaths(dir: string): DemoPaths {
  const absolute = resolve(dir);
  return {
    dir: absolute,
    crm: join(absolute, DEMO_FILES.crm),
    erp: join(absolute, DEMO_FILES.erp),
    state: join(absolute, DEMO_FILES.state),
    config: join(absolute, DEMO_FILES.config),
  };
}

const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/** Whether a file name is one the demo writes (so wiping the directory loses nothing else). */
function isDemoFile(name: string): boolean {
  const databases: string[] = [DEMO_FILES.crm, DEMO_FILES.erp, DEMO_FILES.state];
  return (
    name === DEMO_FILES.config ||
    databases.some(
      (database) => name === database || SQLITE_SIDE_FILES.some((suffix) => name === `${database}${suffix}`),
    )
  );
}

/**
 * Empties the demo directory, creating it when missing. Refuses (with the reason) when the path
 * is a file or holds anything the demo did not write, so `--dir ~` cannot wipe a home directory.
 */
export function prepareDemoDirectory(paths: DemoPaths): { ok: true } | { ok: false; reason: string } {
  if (existsSync(paths.dir)) {
    if (!statSync(paths.dir).isDirectory())
      return { ok: false, reason: `${paths.dir} is a file, not a directory` };
    const strangers = readdirSync(paths.dir).filter((name) => !isDemoFile(name));
    if (strangers.length > 0) {
      const listed = strangers.slice(0, 5).join(', ') + (strangers.length > 5 ? ', …' : '');
      return {
        ok: false,
        reason: `${paths.dir} holds files the demo did not write (${listed}); the demo empties its directory on each start, so choose an empty or new one with --dir`,
      };
    }
    for (const name of readdirSync(paths.dir)) rmSync(join(paths.dir, name), { force: true });
  }
  mkdirSync(paths.dir, { recursive: true });
  return { ok: true };
}

/** Row counts of the CRM's tables after seeding, by table. */
export type DemoSeedCounts = Readonly<Record<string, number>>;

/** Creates the CRM and ERP files, seeds the CRM and writes syncline.yaml. */
export function createDemoSystems(paths: DemoPaths, random: DemoRandom, now: number): DemoSeedCounts {
  createDemoDatabases(paths.crm, paths.erp);
  const crm = openDemoDatabase(paths.crm);
  try {
    seedCrm(crm, random, now);
    const counts: Record<string, number> = {};
    for (const { crmTable } of DEMO_TABLE_PAIRS) {
      counts[crmTable] = Number(crm.prepare(`SELECT COUNT(*) FROM ${crmTable}`).pluck().get());
    }
    writeFileSync(paths.config, demoConfigText(paths), 'utf8');
    return counts;
  } finally {
    crm.close();
  }
}

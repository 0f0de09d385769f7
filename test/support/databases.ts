import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';

/** Server URLs of the real services the integration suite talks to; override with env vars. */
export const POSTGRES_ADMIN_URL =
  process.env.SYNCLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.SYNCLINE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** A database made for one test file, dropped by `drop()`. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A unique database name: `syncline_<label>_<random>` (lower case, safe unquoted). */
export function uniqueDatabaseName(label: string): string {
  return `syncline_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a fresh PostgreSQL database on the test server. */
export async function createPostgresDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueDatabaseName(label);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(POSTGRES_ADMIN_URL, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Creates a fresh MariaDB/MySQL database on the test server. */
export async function createMysqlDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueDatabaseName(label);
  const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(MYSQL_ADMIN_URL, name),
    drop: async () => {
      const client = await mysql.createConnection(MYSQL_ADMIN_URL);
      try {
        await client.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A pg.Pool for test fixtures. Dropping a test database (`DROP DATABASE … WITH (FORCE)`) ends the
 * pool's idle sessions with "terminating connection due to administrator command"; pg reports that
 * as an 'error' event on the pool, which would otherwise be an uncaught exception.
 */
export function postgresTestPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  return pool;
}

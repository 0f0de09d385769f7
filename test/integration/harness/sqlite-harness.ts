import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteConnector } from '../../../src/connectors/sqlite/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Row, Value } from '../../../src/core/values.js';
import type { PortableColumn, PortableType } from '../../conformance/connector-harness.js';
import { sqlConnectorHarness, type SqlConnectorHarness } from '../../conformance/sql-harness.js';

/**
 * Declared SQLite types of the portable types. `DECIMAL TEXT(p,s)` has TEXT affinity, so exact
 * decimals are kept as written (plain `DECIMAL(p,s)` has NUMERIC affinity and rounds to 15 digits).
 */
const DECLARED_TYPES: Record<PortableType, string> = {
  bigint: 'BIGINT',
  integer: 'INTEGER',
  text: 'TEXT',
  varchar255: 'VARCHAR(255)',
  decimal18_4: 'DECIMAL TEXT(18,4)',
  timestamptz: 'TIMESTAMPTZ',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  boolean: 'BOOLEAN',
  json: 'JSON',
};

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function columnDefinition(column: PortableColumn): string {
  const name = quote(column.name);
  const notNull = column.nullable === false ? ' NOT NULL' : '';
  // SQLite does not enforce a declared length; a CHECK makes varchar(255) behave as elsewhere.
  const check = column.type === 'varchar255' ? ` CHECK (length(${name}) <= 255)` : '';
  return `${name} ${DECLARED_TYPES[column.type]}${notNull}${check}`;
}

function toParameter(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  return JSON.stringify(value);
}

function toCanonical(declaredType: string, value: unknown): Value {
  if (value === null) return null;
  const upper = declaredType.toUpperCase();
  if (upper.includes('BOOL')) return value === 1 || value === 1n || value === '1';
  if (upper.includes('JSON') && typeof value === 'string') return JSON.parse(value) as Value;
  if (upper.includes('DECIMAL') && (typeof value === 'number' || typeof value === 'bigint'))
    return String(value);
  return value as Value;
}

/** Runs a synchronous call as a promise, so what it throws is a rejection. */
function later<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A fresh SQLite file in a temporary directory, the connector on it, and a second plain connection. */
export async function createSqliteHarness(): Promise<SqlConnectorHarness> {
  const directory = await mkdtemp(join(tmpdir(), 'syncline-sqlite-'));
  const path = join(directory, 'conformance.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const connector = sqliteConnector.create(sqliteConnector.configSchema.parse({ type: 'sqlite', path }), {
    name: 'sqlite-conformance',
    logger: silentLogger,
  });
  const declaredTypes = (table: string): Map<string, string> =>
    new Map(
      (
        db.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as {
          name: string;
          type: string;
        }[]
      ).map((column) => [column.name, column.type]),
    );

  return sqlConnectorHarness(
    connector,
    {
      createTable: (table, columns, primaryKey) =>
        later(() => {
          const definitions = [...columns.map(columnDefinition), `PRIMARY KEY (${quote(primaryKey)})`];
          db.exec(`CREATE TABLE ${quote(table)} (${definitions.join(', ')})`);
        }),
      insertRows: (table, rows) =>
        later(() => {
          const insertAll = db.transaction((all: readonly Row[]) => {
            for (const row of all) {
              const names = Object.keys(row);
              const sql = `INSERT INTO ${quote(table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
              db.prepare(sql).run(...names.map((name) => toParameter(row[name])));
            }
          });
          insertAll(rows);
        }),
      execute: (sql, params = []) =>
        later(() => {
          db.prepare(sql).run(...params.map(toParameter));
        }),
      selectAll: (table, orderBy) =>
        later(() => {
          const types = declaredTypes(table);
          const rows = db.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${quote(orderBy)}`).all() as Record<
            string,
            unknown
          >[];
          return rows.map((row) =>
            Object.fromEntries(
              Object.entries(row).map(([name, value]) => [name, toCanonical(types.get(name) ?? '', value)]),
            ),
          );
        }),
      placeholder: () => '?',
      quote,
    },
    async () => {
      await connector.close();
      db.close();
      await rm(directory, { recursive: true, force: true });
    },
  );
}

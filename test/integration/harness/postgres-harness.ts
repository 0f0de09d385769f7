import pg from 'pg';
import type { Connector, ConnectorContext } from '../../../src/core/connector.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Row } from '../../../src/core/values.js';
import { postgresConnector } from '../../../src/connectors/postgres/index.js';
import {
  PostgresConnector,
  type PostgresConnectorOptions,
} from '../../../src/connectors/postgres/postgres-connector.js';
import { postgresTypes } from '../../../src/connectors/postgres/postgres-values.js';
import type {
  ConnectorHarnessFactory,
  PortableType,
  SqlExtras,
} from '../../conformance/connector-harness.js';
import { sqlConnectorHarness, type SqlConnectorHarness } from '../../conformance/sql-harness.js';
import { createPostgresDatabase, type TestDatabase, postgresTestPool } from '../../support/databases.js';

const DDL_TYPES: Readonly<Record<PortableType, string>> = {
  bigint: 'bigint',
  integer: 'integer',
  text: 'text',
  varchar255: 'varchar(255)',
  decimal18_4: 'numeric(18,4)',
  timestamptz: 'timestamptz(6)',
  timestamp: 'timestamp(6)',
  date: 'date',
  boolean: 'boolean',
  json: 'jsonb',
};

/** Quotes a test identifier for PostgreSQL (test code only; the connector validates its own). */
export function quotePostgres(identifier: string): string {
  return identifier
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** A canonical value as a parameter for fixture SQL: JSON as text, binary as a Buffer. */
function fixtureParameter(value: Row[string] | undefined): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value ?? null;
}

/** A PostgreSQL harness with more than the conformance suite needs: the database and an admin pool. */
export interface PostgresHarness extends SqlConnectorHarness {
  readonly connector: PostgresConnector;
  readonly database: TestDatabase;
  /** Plain SQL access in a UTC session with the connector's type parsers. */
  readonly admin: pg.Pool;
  /** Rows of a query, in canonical form. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Another connector on the same database, e.g. with a different COPY threshold; closed by `close()`. */
  createConnector(options: PostgresConnectorOptions): PostgresConnector;
}

/** Creates a fresh database and a connector on it; `close()` drops both. */
export async function createPostgresHarness(label = 'pgconnector'): Promise<PostgresHarness> {
  const database = await createPostgresDatabase(label);
  const context: ConnectorContext = { name: 'test', logger: silentLogger };
  const config = postgresConnector.configSchema.parse({ type: 'postgres', url: database.url });
  const connector = new PostgresConnector(config, context);
  const extra: Connector[] = [];
  const admin = postgresTestPool({
    connectionString: database.url,
    types: postgresTypes,
    options: '-c TimeZone=UTC',
    max: 4,
  });
  const lateClients: pg.Client[] = [];

  const query = async (sql: string, params: readonly unknown[] = []): Promise<Row[]> =>
    (
      await admin.query<Row>(
        sql,
        params.map((value) => fixtureParameter(value as Row[string])),
      )
    ).rows;

  const sql: SqlExtras = {
    createTable: async (table, columns, primaryKey) => {
      const definitions = columns.map(
        (column) =>
          `${quotePostgres(column.name)} ${DDL_TYPES[column.type]}${column.nullable === false ? ' NOT NULL' : ''}`,
      );
      await admin.query(
        `CREATE TABLE ${quotePostgres(table)} (${definitions.join(', ')}, PRIMARY KEY (${quotePostgres(primaryKey)}))`,
      );
    },
    insertRows: async (table, rows) => {
      // One multi-row INSERT per run of rows with the same columns, all in one transaction.
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < rows.length;) {
          const columns = Object.keys(rows[start] ?? {});
          const signature = columns.join(',');
          let end = start;
          while (
            end < rows.length &&
            end - start < 1_000 &&
            Object.keys(rows[end] ?? {}).join(',') === signature
          )
            end += 1;
          const chunk = rows.slice(start, end);
          const tuples = chunk.map(
            (_, row) =>
              `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`,
          );
          await client.query(
            `INSERT INTO ${quotePostgres(table)} (${columns.map(quotePostgres).join(', ')}) VALUES ${tuples.join(', ')}`,
            chunk.flatMap((row) => columns.map((column) => fixtureParameter(row[column]))),
          );
          start = end;
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    execute: async (sql, params = []) => {
      await query(sql, params);
    },
    selectAll: (table, orderBy) =>
      query(`SELECT * FROM ${quotePostgres(table)} ORDER BY ${quotePostgres(orderBy)}`),
    placeholder: (n) => `$${n}`,
    quote: quotePostgres,
    openLateTransaction: async (sql, params = []) => {
      const client = new pg.Client({
        connectionString: database.url,
        types: postgresTypes,
        options: '-c TimeZone=UTC',
      });
      lateClients.push(client);
      await client.connect();
      await client.query('BEGIN');
      await client.query(
        sql,
        params.map((value) => fixtureParameter(value as Row[string])),
      );
      return async () => {
        await client.query('COMMIT');
        await client.end();
        lateClients.splice(lateClients.indexOf(client), 1);
      };
    },
  };
  const close = async (): Promise<void> => {
    await Promise.all(lateClients.map((client) => client.end().catch(() => undefined)));
    await Promise.all([connector.close(), ...extra.map((created) => created.close())]);
    await admin.end();
    await database.drop();
  };

  return {
    ...sqlConnectorHarness(connector, sql, close),
    connector,
    database,
    admin,
    query,
    createConnector: (options) => {
      const created = new PostgresConnector(config, context, options);
      extra.push(created);
      return created;
    },
  };
}

/** The factory the shared conformance suite takes. */
export const postgresHarnessFactory: ConnectorHarnessFactory = () => createPostgresHarness('pgconformance');

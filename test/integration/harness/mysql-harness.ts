import mysql from 'mysql2/promise';
import type { Connector } from '../../../src/core/connector.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Row } from '../../../src/core/values.js';
import { mysqlConnector } from '../../../src/connectors/mysql/index.js';
import type { MysqlConfig } from '../../../src/connectors/mysql/mysql-config.js';
import { MysqlConnector } from '../../../src/connectors/mysql/mysql-connector.js';
import { findColumn } from '../../../src/connectors/mysql/mysql-describe.js';
import { SESSION_SQL } from '../../../src/connectors/mysql/mysql-session.js';
import { fromMysqlValue, toMysqlValue } from '../../../src/connectors/mysql/mysql-values.js';
import type { PortableColumn, PortableType, SqlExtras } from '../../conformance/connector-harness.js';
import { sqlConnectorHarness, type SqlConnectorHarness } from '../../conformance/sql-harness.js';
import { createMysqlDatabase, type TestDatabase } from '../../support/databases.js';

const DDL: Record<PortableType, string> = {
  bigint: 'BIGINT',
  integer: 'INT',
  text: 'TEXT',
  varchar255: 'VARCHAR(255)',
  decimal18_4: 'DECIMAL(18,4)',
  timestamptz: 'TIMESTAMP(6)',
  timestamp: 'DATETIME(6)',
  date: 'DATE',
  boolean: 'BOOLEAN',
  json: 'JSON',
};

/** Options of a MySQL harness beyond the defaults. */
export interface MysqlHarnessOptions {
  /** Label in the database name. */
  readonly label?: string;
  /** Overrides of the connection entry (`timezone`, `poolSize`). */
  readonly config?: Partial<Pick<MysqlConfig, 'timezone' | 'poolSize'>>;
}

/** A MySQL harness with the database it runs on, for suites that need more than the harness. */
export interface MysqlHarness extends SqlConnectorHarness {
  /** The connector, with its keyset pager methods visible. */
  readonly connector: MysqlConnector;
  /** The fresh database the harness made; dropped by `close`. */
  readonly database: TestDatabase;
  /** A plain mysql2 connection to the same database, in the connector's session settings. */
  readonly admin: mysql.Connection;
  /** A second connector on the same database with another config (closed by `close`). */
  createConnector(config: Partial<Pick<MysqlConfig, 'timezone' | 'poolSize'>>): MysqlConnector;
}

function quote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** Opens a plain connection in the same session settings as the connector. */
export async function openMysqlSession(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    uri: url,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
  });
  await connection.query(SESSION_SQL);
  return connection;
}

/**
 * The ConnectorHarness of MySQL/MariaDB: a fresh database on the test server, the `mysql`
 * connector on it, and plain SQL access through mysql2.
 */
export async function createMysqlHarness(options: MysqlHarnessOptions = {}): Promise<MysqlHarness> {
  const database = await createMysqlDatabase(options.label ?? 'mysql');
  const admin = await openMysqlSession(database.url);
  const connectors: Connector[] = [];
  const lateSessions = new Set<mysql.Connection>();
  const createConnector = (config: Partial<Pick<MysqlConfig, 'timezone' | 'poolSize'>>): MysqlConnector => {
    const parsed = mysqlConnector.configSchema.parse({
      type: 'mysql',
      url: database.url,
      ...options.config,
      ...config,
    });
    const connector = new MysqlConnector(parsed, { name: 'mysql-test', logger: silentLogger });
    connectors.push(connector);
    return connector;
  };
  const connector = createConnector({});
  const signal = new AbortController().signal;

  const describe = async (table: string) => {
    const schema = await connector.describeTable(table, signal);
    if (schema === undefined) throw new Error(`harness: table ${table} does not exist`);
    return schema;
  };

  const sql: SqlExtras = {
    async createTable(table: string, columns: readonly PortableColumn[], primaryKey: string): Promise<void> {
      const definitions = columns.map((column) => {
        // A TEXT primary key needs a prefix length; a VARCHAR does not.
        const type = column.name === primaryKey && column.type === 'text' ? 'VARCHAR(255)' : DDL[column.type];
        const nullability = column.nullable === false || column.name === primaryKey ? 'NOT NULL' : 'NULL';
        return `${quote(column.name)} ${type} ${nullability}`;
      });
      await admin.query(
        `CREATE TABLE ${quote(table)} (${definitions.join(', ')}, PRIMARY KEY (${quote(primaryKey)})) ENGINE=InnoDB`,
      );
    },
    async insertRows(table: string, rows: readonly Row[]): Promise<void> {
      if (rows.length === 0) return;
      const schema = await describe(table);
      const names = Object.keys(rows[0] ?? {});
      const values = rows.map((row) =>
        names.map((name) => toMysqlValue(findColumn(schema, name), row[name] ?? null, '+00:00')),
      );
      await admin.query(`INSERT INTO ${quote(table)} (${names.map(quote).join(', ')}) VALUES ?`, [values]);
    },
    async execute(sql: string, params: readonly unknown[] = []): Promise<void> {
      await admin.query(sql, [...params]);
    },
    async selectAll(table: string, orderBy: string): Promise<Row[]> {
      const schema = await describe(table);
      const [rows] = await admin.query(`SELECT * FROM ${quote(table)} ORDER BY ${quote(orderBy)}`);
      return (rows as Record<string, unknown>[]).map((raw) => {
        const row: Row = {};
        for (const [name, value] of Object.entries(raw))
          row[name] = fromMysqlValue(findColumn(schema, name), value);
        return row;
      });
    },
    placeholder: () => '?',
    quote,
    async openLateTransaction(sql: string, params: readonly unknown[] = []): Promise<() => Promise<void>> {
      const late = await openMysqlSession(database.url);
      lateSessions.add(late);
      await late.beginTransaction();
      await late.query(sql, [...params]);
      return async () => {
        await late.commit();
        lateSessions.delete(late);
        await late.end();
      };
    },
  };
  const close = async (): Promise<void> => {
    // An uncommitted late transaction would hold locks that block DROP DATABASE.
    await Promise.all([...lateSessions].map((late) => late.end()));
    await Promise.all(connectors.map((each) => each.close()));
    await admin.end();
    await database.drop();
  };

  return { ...sqlConnectorHarness(connector, sql, close), connector, database, admin, createConnector };
}

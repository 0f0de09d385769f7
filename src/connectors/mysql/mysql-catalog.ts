import type { Pool } from 'mysql2/promise';
import type { TableSchema } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { isPlainIdentifier } from '../../config/identifiers.js';
import { SCRATCH_TABLE_PREFIX } from '../../core/scratch-table.js';
import { describeMysqlTable, type MysqlTableSchema } from './mysql-describe.js';
import { toConnectorError } from './mysql-errors.js';
import { parseTableName, type Statement, type TableName } from './mysql-sql.js';
import { readServerInfo, type ServerInfo } from './mysql-session.js';

/** Where a query runs, for error messages and schema cache invalidation. */
export interface QueryContext {
  readonly flow?: string;
  /** The table as configured. */
  readonly table: string;
}

/**
 * What the connector knows about the server and its tables, read once and cached: the server's
 * flavour and limits, and each table's schema (described again after a missing table or column).
 */
export class MysqlCatalog {
  readonly #pool: Pool;
  readonly #secrets: readonly string[];
  /** `connection "erp" at db:3306`, for connection failures. */
  readonly #address: string | undefined;
  #server: Promise<ServerInfo> | undefined;
  readonly #schemas = new Map<string, Promise<MysqlTableSchema | undefined>>();

  constructor(pool: Pool, secrets: readonly string[], address?: string) {
    this.#pool = pool;
    this.#secrets = secrets;
    this.#address = address;
  }

  /** Runs one statement on the pool; failures become ConnectorErrors naming the table. */
  async query(statement: Statement, context?: QueryContext): Promise<Record<string, unknown>[]> {
    try {
      const [rows] = await this.#pool.query(statement.sql, statement.params);
      return rows as Record<string, unknown>[];
    } catch (error) {
      if (context !== undefined && typeof error === 'object' && error !== null && 'errno' in error) {
        // The table changed under us: describe it again next time.
        if (error.errno === 1054 || error.errno === 1146) this.forget(context.table);
      }
      throw toConnectorError(error, {
        ...(context?.flow === undefined ? {} : { flow: context.flow }),
        ...(context === undefined ? {} : { table: context.table }),
        secrets: this.#secrets,
        ...(this.#address === undefined ? {} : { server: this.#address }),
      });
    }
  }

  /** The server's flavour, version and limits. */
  serverInfo(): Promise<ServerInfo> {
    this.#server ??= readServerInfo(this.#pool).catch((error: unknown) => {
      this.#server = undefined;
      throw toConnectorError(error, {
        secrets: this.#secrets,
        ...(this.#address === undefined ? {} : { server: this.#address }),
      });
    });
    return this.#server;
  }

  /** The cached schema of a table, or undefined when it does not exist. */
  schema(table: TableName): Promise<MysqlTableSchema | undefined> {
    let schema = this.#schemas.get(table.display);
    if (schema === undefined) {
      schema = this.serverInfo().then((server) =>
        describeMysqlTable(
          (sql, params) => this.query({ sql, params }, { table: table.display }),
          table,
          server.isMariaDb,
        ),
      );
      schema.catch(() => {
        this.forget(table.display);
      });
      this.#schemas.set(table.display, schema);
    }
    return schema;
  }

  /** The schema of a table that must exist; a ConnectorError naming it otherwise. */
  async requireSchema(table: TableName, flow: string): Promise<MysqlTableSchema> {
    const schema = await this.schema(table);
    if (schema !== undefined) return schema;
    this.forget(table.display);
    throw new ConnectorError(
      'CONNECTOR_TABLE_NOT_FOUND',
      `Flow "${flow}": MySQL table ${table.display} does not exist in ${table.database ?? 'the database of the connection URL'}`,
      { flow },
    );
  }

  /**
   * Every base table of the connection's database, described afresh, in name order. Names that
   * are not plain identifiers, and `syncline_probe_…` scratch tables, are left out.
   */
  async listTables(): Promise<TableSchema[]> {
    const rows = await this.query({
      sql: `SELECT TABLE_NAME AS name FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      params: [],
    });
    const tables: TableSchema[] = [];
    for (const row of rows) {
      const name = String(row.name);
      if (!isPlainIdentifier(name) || name.startsWith(SCRATCH_TABLE_PREFIX)) continue;
      this.forget(name);
      const schema = await this.schema(parseTableName(name));
      if (schema !== undefined) {
        tables.push({ table: schema.table, columns: schema.columns, uniqueKeys: schema.uniqueKeys });
      }
    }
    return tables;
  }

  /** Drops the cached schema of a table, so the next use describes it again. */
  forget(table: string): void {
    this.#schemas.delete(table);
  }
}

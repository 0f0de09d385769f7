import type { Connector } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';

/** Portable column types the conformance suite creates tables with; each harness maps them to DDL. */
export type PortableType =
  | 'bigint' // 64-bit integer
  | 'integer'
  | 'text' // unbounded text
  | 'varchar255'
  | 'decimal18_4' // numeric(18,4)
  | 'timestamptz' // zoned timestamp (pg timestamptz, MySQL TIMESTAMP(6) in a UTC session, SQLite TEXT)
  | 'timestamp' // naive timestamp with microseconds (pg timestamp(6), MySQL DATETIME(6), SQLite TEXT)
  | 'date'
  | 'boolean'
  | 'json';

export interface PortableColumn {
  readonly name: string;
  readonly type: PortableType;
  /** Default true. */
  readonly nullable?: boolean;
}

/**
 * What a connector's integration test hands the shared conformance suite: a live connector on a
 * fresh database, and plain SQL access to that same database for fixtures and assertions.
 */
export interface ConnectorHarness {
  readonly connector: Connector;
  /** Creates a table; `primaryKey` is one of the columns. */
  createTable(table: string, columns: readonly PortableColumn[], primaryKey: string): Promise<void>;
  /** Inserts rows with bound parameters; values use the canonical forms of values.ts. */
  insertRows(table: string, rows: readonly Row[]): Promise<void>;
  /** Runs one statement in the dialect of the database, with bound parameters (`$1` or `?`). */
  execute(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Reads every row of a table, ordered by `orderBy`, in canonical form. */
  selectAll(table: string, orderBy: string): Promise<Row[]>;
  /** The placeholder of the n-th (1-based) bound parameter in this dialect. */
  placeholder(n: number): string;
  /** Quotes an identifier in this dialect. */
  quote(identifier: string): string;
  /**
   * Opens a second session that begins a transaction, runs `sql`, and commits only when the
   * returned function is called (the late-commit case). Optional: skipped where the database has
   * no concurrent writers.
   */
  openLateTransaction?(sql: string, params?: readonly unknown[]): Promise<() => Promise<void>>;
  /** Drops everything the harness made and closes the connector. */
  close(): Promise<void>;
}

export type ConnectorHarnessFactory = () => Promise<ConnectorHarness>;

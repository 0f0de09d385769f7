import type { Connector } from '../../src/core/connector.js';
import type { Row, ScalarValue } from '../../src/core/values.js';

/**
 * What a connector's integration test hands the shared conformance suite (see README.md here).
 *
 * A harness has a small required core that any system can offer, database or business system
 * (`prepareObject`, `seed`, `update`, `remove`, `readAll`, `close`), and optional extras it
 * declares by having them (`sql`, `readLines`). Cases are skipped by what a harness declares and
 * by the connector's `capabilities`, never by the connector's name.
 *
 * Everything crosses the core in the suite's own field names and canonical values (values.ts):
 * the harness translates to and from the system's names (`PreparedObject.fields`). The portable
 * cases (portable-specs.ts) translate what they hand the connector too; the cases written for
 * tables keep the suite's field names and skip where a harness renames a field.
 */
export interface ConnectorHarness {
  /** A live connector on the system under test. */
  readonly connector: Connector;
  /**
   * An empty object (table, model, API resource) holding fields of these portable types, or why
   * the system cannot offer one (the case is then skipped with that reason). A database creates a
   * table `spec.name`; a business system maps the spec onto an object it already has, and must
   * remove what earlier cases left in it, so the object starts empty as far as `readAll` sees.
   */
  prepareObject(spec: ObjectSpec): Promise<PreparedObject | Unsupported>;
  /**
   * Adds records, as the system's own users would (not through the connector); suite names. The
   * spec's `cursor`, where a row does not give it, is set as the system would.
   */
  seed(object: PreparedObject, rows: readonly Row[]): Promise<void>;
  /**
   * Sets some fields of the record whose key is `key`, as an application would: a field given is
   * set to its value, and the spec's `cursor` moves forward unless given.
   */
  update(object: PreparedObject, key: ScalarValue, values: Row): Promise<void>;
  /** Removes the records with these keys (hard delete); missing keys are no error. */
  remove(object: PreparedObject, keys: readonly ScalarValue[]): Promise<void>;
  /**
   * Every record of the object in key order, in canonical form, holding every field of the spec
   * by the suite's names (NULL where the record has none).
   */
  readAll(object: PreparedObject): Promise<Row[]>;
  /**
   * Every line of every record of the object for a line relation of the spec (`LineObjectSpec.name`),
   * in (parent key, line key) order. Required when the connector declares `capabilities.lines`.
   */
  readLines?(object: PreparedObject, relation: string): Promise<HarnessLine[]>;
  /** SQL access to the same database, for the cases that need it; absent for a non-SQL system. */
  readonly sql?: SqlExtras;
  /** Drops everything the harness made and closes the connector. */
  close(): Promise<void>;
}

export type ConnectorHarnessFactory = () => Promise<ConnectorHarness>;

/** Portable field types of an object spec; each harness maps them to its system's types. */
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
  /** Default true. False: the system must refuse a record whose value is NULL (a required field). */
  readonly nullable?: boolean;
}

/** The object a case needs: its fields by the suite's names and portable types. */
export interface ObjectSpec {
  /** Unique per case (`cf_upsert`); a database names its table so. */
  readonly name: string;
  readonly fields: readonly PortableColumn[];
  /** The field that identifies a record: unique and required. */
  readonly key: string;
  /**
   * The field that moves forward whenever a record changes, when the case reads from a cursor
   * without setting it: the harness maps it to the system's own (`write_date`), or moves it itself
   * on `seed` and `update` (a database: a sequence per object). Its type in `fields` is then
   * only a hint; the suite never compares its values.
   */
  readonly cursor?: string;
  /** Line relations (with `capabilities.lines`): a sale's order lines. */
  readonly lines?: readonly LineObjectSpec[];
}

/** A relation of lines in an object spec. */
export interface LineObjectSpec {
  /** The suite's name of the relation (`lines`). */
  readonly name: string;
  readonly fields: readonly PortableColumn[];
  /** The field that identifies a line among all lines. */
  readonly key: string;
}

/** How the system holds an object spec. */
export interface PreparedObject {
  /** The spec it was prepared for. */
  readonly spec: ObjectSpec;
  /** The object's name by the system's rules, as specs carry it (`cf_upsert`, `party.party`). */
  readonly object: string;
  /** Suite field name → the system's field name, for every field of the spec. */
  readonly fields: Readonly<Record<string, string>>;
  /** Per line relation of the spec (by the suite's name): how the system holds it. */
  readonly lines?: Readonly<Record<string, PreparedLines>>;
  /**
   * The system gives every record an id of its own (Tryton's integer id, a CRM's object id), so
   * `created` outcomes must carry it. Default false.
   */
  readonly recordIds?: boolean;
}

/** How the system holds a line relation. */
export interface PreparedLines {
  /** The relation's name at the system (`lines` of `sale.sale`); `TargetRecord.lines` is keyed by it. */
  readonly relation: string;
  /** Suite line field name → the system's field name. */
  readonly fields: Readonly<Record<string, string>>;
  /** The system's field that keeps a line's key, or undefined when the connector matches lines its own way. */
  readonly key: string | undefined;
}

/** Why a harness cannot offer an object spec; the case is skipped with this reason. */
export interface Unsupported {
  readonly unsupported: string;
}

/** One line read back by `readLines`, in the suite's names. */
export interface HarnessLine {
  /** The key of the record the line belongs to. */
  readonly parent: ScalarValue;
  readonly row: Row;
}

/**
 * SQL access for the cases that need plain SQL: late commits, unique indexes that are not the
 * primary key, views. A harness that has it declares it as `ConnectorHarness.sql`.
 */
export interface SqlExtras {
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
}

/** Only the required core of a harness: what a system without SQL and without lines offers. */
export type CoreConnectorHarness = Omit<ConnectorHarness, 'sql' | 'readLines'>;

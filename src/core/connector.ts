import type { z } from 'zod';
import type { FieldType } from '../config/field-types.js';
import type { JsonValue, Row, ScalarValue } from './values.js';
import type { Logger } from './logger.js';
import type { DigestSupport } from './digest.js';
import type { TableSchema } from './table-schema.js';
import type { SyncErrorJson } from './errors.js';
import type { InboxStore } from './inbox.js';

export type { FieldType } from '../config/field-types.js';
export type { ColumnInfo, TableSchema } from './table-schema.js';

/** What a connector can do; conformance cases and the runner branch on these, never on a type name. */
export interface ConnectorCapabilities {
  /** It can be the source of a flow (`readChanges`). */
  readonly source: boolean;
  /** It can be the target of a flow (`writeBatch`). */
  readonly target: boolean;
  /** A batch is written in one transaction: all of it or none of it. */
  readonly transactions: boolean;
  /** It can describe a table's columns, so mappings are checked against the live schema. */
  readonly describe: boolean;
  /**
   * It can wake realtime flows when a source table changes (`watchChanges`), once the objects
   * that emit the events are installed on request (`installChangeEvents`). Default false.
   */
  readonly changeEvents?: boolean;
  /**
   * It can write records with `op: 'update'` (set some columns of an existing row, never insert),
   * which two-way flows and `writeBack` need. Default false.
   */
  readonly updates?: boolean;
  /**
   * It can list its tables with their columns and unique keys (`listTables`), which
   * `syncline init --from … --to …` reads to propose flows. Default false.
   */
  readonly listTables?: boolean;
  /**
   * Its float columns hold NaN, Infinity and -Infinity exactly (PostgreSQL). A target without it
   * refuses such values per record, and `validate` warns (`W-NON-FINITE`) when a float column of
   * a source that has it is mapped to one of its columns. Default false.
   */
  readonly nonFiniteFloats?: boolean;
  /**
   * `writeBatch` returns one `RecordOutcome` per record (`WriteResult.outcomes`): which were
   * created (with the target's new id), updated, unchanged or refused (with the system's own
   * message and field). The engine then dead-letters exactly the refused records and never splits
   * a batch to find them. Every target without `transactions` must have it: a batch that fails
   * half-way is retried whole, and idempotent upserts make the retry safe. Default false.
   */
  readonly recordOutcomes?: boolean;
  /**
   * Reads and writes records with lines (`TargetRecord.lines`, `Change.lines`): a sale with its
   * order lines as one unit, written together; a line absent from the record is removed at the
   * target. Default false.
   */
  readonly lines?: boolean;
  /**
   * With `lines` and `target`: whether it also writes records with lines (`TargetSpec.lines`).
   * Default: as `lines`. The SQL connectors read lines as a source but do not write them
   * (`writesLines: false`), so `validate` refuses `lines:` on a flow whose target is one of them.
   */
  readonly writesLines?: boolean;
  /**
   * Its source reads resume from a cursor (`SourceSpec.cursor`). `false` for a system that can only
   * list everything (each cycle reads it all, and unchanged records are skipped by content hash);
   * `optional` for one that does either, as the flow says (a Tryton model by `write_date`, or
   * every record each cycle for a value such as a stock quantity that changes without it).
   * Default true: the flow must give a cursor.
   */
  readonly cursor?: boolean | 'optional';
  /**
   * Separate instances of this connector (one per backfill lane thread, docs/backfill.md) may read
   * and write at once, each with its own sessions. False (the default) for a connector that shares
   * something across the flows of its connection: a rate limit, a serialised writer, one file.
   * Backfill lanes run in worker threads only when both sides say true; else in the cycle's thread.
   */
  readonly independentInstances?: boolean;
}

/**
 * Where a connector resumes reading. Opaque to the core: each connector family defines and
 * validates its own shape. It must be plain JSON, because it is stored in the state store.
 */
export type Checkpoint = { readonly [key: string]: JsonValue };

/** The lines of a record with lines, as the source reads them (`SourceSpec.lines`). */
export interface LineSourceSpec {
  /** The relation's name at the target (`lines` of `sale.sale`); `Change.lines` and `TargetRecord.lines` are keyed by it. */
  readonly name: string;
  /** Table or object holding the lines at the source (`order_lines`). */
  readonly table: string;
  /** Column of a line that identifies it among all lines; unique and not null. */
  readonly key: string;
  /** Column of a line holding its parent's source key (`order_id`). */
  readonly parent: string;
  /** Columns of a line to read (the line mapping's inputs, plus key and parent). */
  readonly columns: readonly string[];
}

/** The source side of a flow, as a connector reads it. Identifiers are not yet validated. */
export interface SourceSpec {
  /** The flow's name, for error messages. */
  readonly flow: string;
  /**
   * The object to read, named by the system's own rules: a table or view for a database (may be
   * schema-qualified, `sales.accounts`), a model for an ERP (`party.party`), a path for an API
   * (`/crm/v3/objects/deals`). The connector validates it (`Connector.checkObjectName`).
   */
  readonly table: string;
  /** Column that identifies a record; unique and not null. */
  readonly key: string;
  /** Column that increases whenever a row changes (`updated_at`, a version number). */
  readonly cursor: string | undefined;
  /** Column whose true value marks a soft-deleted row, if any. */
  readonly deleted: string | undefined;
  /** Columns to read (the mapping's inputs, plus key, cursor and deleted). */
  readonly columns: readonly string[];
  /** Rows per batch. */
  readonly batchSize: number;
  /**
   * How far behind the checkpoint each cycle reads again, to catch rows committed late with an
   * older cursor value: milliseconds for temporal cursors, units for numeric cursors.
   */
  readonly lookback: number;
  /**
   * `time`: the lookback is a duration and applies only to temporal cursors (a numeric cursor then
   * gets none). `any` (default): it applies to whatever the cursor holds.
   */
  readonly lookbackAppliesTo?: 'time' | 'any';
  /** With `capabilities.lines`: the relations whose lines are read with each record (`Change.lines`). */
  readonly lines?: readonly LineSourceSpec[];
}

/** What the target does with a record deleted at the source. */
export type DeletePolicy =
  | { readonly mode: 'soft'; readonly column: string }
  | { readonly mode: 'hard' }
  | { readonly mode: 'ignore' };

/** The lines of a record with lines, as the target writes them (`TargetSpec.lines`). */
export interface LineTargetSpec {
  /** The relation's name at the target (`lines` of `sale.sale`, a one-to-many field or a child table). */
  readonly name: string;
  /**
   * Where a line's source key is kept at the target, so a line is matched, updated or removed
   * in place. Undefined: the connector matches lines its own way (a key map of its own, or
   * replacing every line of the record when one changed).
   */
  readonly key: string | undefined;
  /** Every line field a line may carry, in a stable order. */
  readonly columns: readonly string[];
  readonly types: Readonly<Record<string, FieldType | undefined>>;
}

/** The target side of a flow. */
export interface TargetSpec {
  readonly flow: string;
  /** The object to write, named by the system's own rules (see `SourceSpec.table`). */
  readonly table: string;
  /** Column that receives the source key; must be unique so upserts are idempotent. */
  readonly key: string;
  /** Every target column a record may carry, key included, in a stable order. */
  readonly columns: readonly string[];
  /** Declared mapping type per column, where the config gives one (a hint for value conversion). */
  readonly types: Readonly<Record<string, FieldType | undefined>>;
  readonly onDelete: DeletePolicy;
  /** With `capabilities.lines`: the relations written with each record (`TargetRecord.lines`). */
  readonly lines?: readonly LineTargetSpec[];
}

/** One changed source row. */
export interface Change {
  /** The source key, as text (the key map's key). */
  readonly key: string;
  /** `delete` when the source row is soft-deleted. */
  readonly op: 'upsert' | 'delete';
  /** The source row: column → canonical value. */
  readonly row: Row;
  /**
   * With `SourceSpec.lines`: every line of the record by relation name, in line-key order (all of
   * them, not only changed ones: a line missing here is removed at the target).
   */
  readonly lines?: Readonly<Record<string, readonly LineRow[]>>;
}

/** One line of a record with lines. */
export interface LineRow {
  /** The line's source key, as text. */
  readonly key: string;
  /** Source (in a `Change`) or target (in a `TargetRecord`) column → canonical value. */
  readonly row: Row;
}

/** Changes read together, and the checkpoint that is safe to store once all of them are handled. */
export interface ChangeBatch {
  readonly changes: readonly Change[];
  readonly checkpoint: Checkpoint;
}

/**
 * One record to write to the target, after mapping. `upsert` inserts or updates the row of the
 * key; `delete` removes it; `update` sets the given columns of an existing row and never inserts
 * (with `capabilities.updates`): a missing row is not an error, its key is reported in
 * `WriteResult.notFound`.
 */
export interface TargetRecord {
  /** The source key, as text; errors name it. */
  readonly key: string;
  readonly op: 'upsert' | 'delete' | 'update';
  /** Target column → value. Always holds the target key column; an update sets only the others it holds. */
  readonly values: Row;
  /**
   * With `TargetSpec.lines`: the record's complete lines by relation name, mapped. The target's
   * lines of the record become exactly these (missing ones removed), with the record, as one unit.
   */
  readonly lines?: Readonly<Record<string, readonly LineRow[]>>;
}

/**
 * What became of one record of a batch (`WriteResult.outcomes`, with `capabilities.recordOutcomes`).
 * `id` is the target's own id of the record (Tryton's integer id, a CRM's object id), kept in
 * the key map so references and later writes find the record without reading it back.
 */
export type RecordOutcome =
  | { readonly key: string; readonly status: 'created'; readonly id?: ScalarValue }
  | { readonly key: string; readonly status: 'updated'; readonly id?: ScalarValue }
  /** The target already held these values; nothing was written. */
  | { readonly key: string; readonly status: 'unchanged'; readonly id?: ScalarValue }
  | { readonly key: string; readonly status: 'deleted' }
  /** An `update` (or a `delete`) whose record does not exist at the target; nothing was written. */
  | { readonly key: string; readonly status: 'not-found' }
  /**
   * The system refused this record for a reason that is the record's (a validation or business
   * rule, a missing reference, an access rule): the error carries the system's own message, and
   * `field` when it named one. Never used for the system's trouble (timeouts, 429, 5xx, lost
   * sessions): those are thrown, retryable, and the whole batch is retried.
   */
  | { readonly key: string; readonly status: 'refused'; readonly error: SyncErrorJson };

/** What a target acknowledged. */
export interface WriteResult {
  /** Rows inserted, updated or deleted. */
  readonly written: number;
  /** Keys (`TargetRecord.key`) of `update` records whose row does not exist; nothing was written for them. */
  readonly notFound?: readonly string[];
  /**
   * With `capabilities.recordOutcomes`: one outcome per record of the batch, in any order. A
   * record refused here is dead-lettered alone; the others count as written.
   */
  readonly outcomes?: readonly RecordOutcome[];
}

/**
 * Inclusive bounds of a manual resync: a key range, a cursor (time) range, or both. Bounds are
 * compared by the database, in the column's own type.
 */
export interface ReadRange {
  readonly fromKey?: ScalarValue;
  readonly toKey?: ScalarValue;
  readonly fromCursor?: ScalarValue;
  readonly toCursor?: ScalarValue;
}

/** A partitioned backfill (`Connector.planBackfill`): its key ranges, and where the flow goes on after them. */
export interface BackfillPlan {
  /** Disjoint inclusive key ranges (`fromKey`, `toKey`), in key order, covering every key the source held. */
  readonly ranges: readonly ReadRange[];
  /** The checkpoint the flow reads on from once every range is written. */
  readonly handover: Checkpoint;
}

/** The answer of `probe`. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Server product and version, e.g. `PostgreSQL 15.19`. */
  readonly server?: string;
  /** Round trip of a trivial query, in milliseconds. */
  readonly latencyMs?: number;
  readonly message?: string;
}

/** A subscription to a source table's change events, from `Connector.watchChanges`. */
export interface ChangeWatch {
  /**
   * Whether the source emits events for the table (e.g. its trigger exists), as last checked: when
   * false, nothing wakes the flow but its safety poll. Checked again after each reconnect.
   */
  readonly isInstalled: boolean;
  /** Stops calling `onChange`; frees the listening session when no other watch uses it. */
  close(): Promise<void>;
}

/** What `installChangeEvents` or `removeChangeEvents` did, for the operator. */
export interface ChangeEventsSetup {
  /** False when there was nothing to do (already installed, or already removed). */
  readonly isChanged: boolean;
  /** What was created or dropped, naming the objects, e.g. `created trigger "syncline_accounts_notify" on public.accounts`. */
  readonly message: string;
}

/** A connection to one system: the only way the engine reads or writes it. */
export interface Connector {
  readonly capabilities: ConnectorCapabilities;
  /**
   * Why `name` cannot name an object (table, model, API path) of this system, or undefined when it
   * can: `validate` reports the answer at the flow's `source.table`/`target.table` path before
   * anything is read or written. SQL connectors apply the SQL identifier rules; others their own.
   * Optional: without it, every non-empty name is accepted and the system's answer decides.
   */
  checkObjectName?(name: string): string | undefined;
  /**
   * Why `name` cannot name a field (column, model field, JSON property path such as
   * `properties.amount`) of this system's objects, or undefined when it can; reported by
   * `validate` like `checkObjectName`. Optional: without it, the config's plain-name rule applies.
   */
  checkFieldName?(name: string): string | undefined;
  /** Checks that the system answers; never throws for an unreachable system, says so instead. */
  probe(signal: AbortSignal): Promise<ProbeResult>;
  /** The live schema of a table, or undefined when it does not exist. */
  describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined>;
  /**
   * With `capabilities.listTables`: every base table of the connection's default schema or
   * database, each described as `describeTable` would (names as `describeTable` accepts them),
   * in name order. Views and Syncline's own scratch tables are left out.
   */
  listTables?(signal: AbortSignal): Promise<TableSchema[]>;
  /**
   * Changes after `since`, in batches of at most `source.batchSize`, each with the checkpoint to
   * store once the batch is handled. Memory stays bounded whatever the table size.
   */
  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch>;
  /** Source rows by key (manual resync, dead-letter replay). Missing keys are simply absent. */
  readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]>;
  /**
   * Source rows within `range` (manual resync of a key or time range), in batches of at most
   * `source.batchSize`: in key order when only key bounds are given, else in (cursor, key) order.
   * Optional; memory stays bounded whatever the range.
   */
  readRange?(source: SourceSpec, range: ReadRange, signal: AbortSignal): AsyncIterable<readonly Change[]>;
  /**
   * Optional, with `readRange`: splits a new flow's initial scan into at most `lanes` disjoint,
   * inclusive key ranges of about equal row counts, read concurrently (a partitioned backfill,
   * docs/backfill.md). The plan's `handover` is the checkpoint `readChanges` goes on from once
   * every range is written: its cursor's high-water mark is taken before the ranges, so a row
   * changed or inserted during the scan is read again and none is lost. Undefined when the source
   * is too small to split (fewer rows than two batches) or cannot be split.
   */
  planBackfill?(source: SourceSpec, lanes: number, signal: AbortSignal): Promise<BackfillPlan | undefined>;
  /** Rows waiting after `since`, counted up to `limit` (progress and backlog estimates). */
  countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number>;
  /** Writes a batch as idempotent upserts (and deletes), in one transaction where supported. */
  writeBatch(target: TargetSpec, records: readonly TargetRecord[], signal: AbortSignal): Promise<WriteResult>;
  /**
   * Optional bulk path of an initial load (docs/backfill.md): inserts records the engine believes
   * new (no key map entry, plain upserts without lines) through the system's bulk loader
   * (PostgreSQL `COPY` straight into the table, MariaDB `LOAD DATA LOCAL INFILE`), in one
   * transaction, all or nothing. It must throw, having written nothing, when any record's key
   * already exists at the target or any record is refused or changed by the loader (a truncation,
   * a warning); the engine then writes the same records through `writeBatch`, which upserts and
   * isolates a bad record. So a wrong guess costs time, never data.
   */
  bulkInsert?(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult>;
  /**
   * With `capabilities.changeEvents`: calls `onChange` (soon, without arguments) whenever the
   * source table may have changed, and once after a lost connection is restored, since events may
   * have been missed meanwhile. Resolves once events are flowing, or after a first failed attempt
   * (it keeps reconnecting in the background). An event only wakes the flow early: the cycle
   * still reads from the checkpoint, so a missed one costs latency, never data.
   */
  watchChanges?(source: SourceSpec, onChange: () => void, signal: AbortSignal): Promise<ChangeWatch>;
  /** With `capabilities.changeEvents`: creates what emits the table's events (idempotent). */
  installChangeEvents?(source: SourceSpec, signal: AbortSignal): Promise<ChangeEventsSetup>;
  /** With `capabilities.changeEvents`: drops what `installChangeEvents` created (idempotent). */
  removeChangeEvents?(source: SourceSpec, signal: AbortSignal): Promise<ChangeEventsSetup>;
  /**
   * Creates an empty scratch table `name` for `syncline probe`'s load test and returns how to write
   * it with `writeBatch` (columns of `scratchTargetSpec` in core/scratch-table.ts). Refuses a name
   * that `assertScratchTableName` refuses, so no business table is ever touched. Optional.
   */
  createScratchTable?(name: string, signal: AbortSignal): Promise<TargetSpec>;
  /** Drops a scratch table made by `createScratchTable`, if it exists; refuses other names likewise. */
  dropScratchTable?(name: string, signal: AbortSignal): Promise<void>;
  /**
   * The zone in which this connector writes a zoned timestamp into a column without a zone (and so
   * the zone its naive timestamps are in), when it has a fixed one (MySQL's `timezone`). Two-way
   * flows and reconcile use it to compare and convert such values without shifting them.
   */
  readonly wallClockZone?: string;
  /** Checksums computed in the database, for `syncline reconcile` (core/digest.ts). Optional. */
  readonly digests?: DigestSupport;
  close(): Promise<void>;
}

/** What a connector is given when created. */
export interface ConnectorContext {
  /** The connection's name in `connections:`. */
  readonly name: string;
  readonly logger: Logger;
  /**
   * The inbox of pushed events (the state store), for connectors that receive events (MQTT) or
   * read them (`webhook`). Undefined where no state store is open.
   */
  readonly inbox?: InboxStore;
}

/** A connector type: its config schema and a factory. `connectors/<name>/index.ts` exports one. */
export interface ConnectorDefinition<Config = unknown> {
  /** The `type:` of a `connections:` entry. */
  readonly type: string;
  /** Schema of the `connections:` entry, `type` included; unknown keys are errors. */
  readonly configSchema: z.ZodType<Config>;
  create(config: Config, context: ConnectorContext): Connector;
  /**
   * For `syncline init --from/--to`: the `connections:` entry (`type` included) for a URL or file
   * this connector serves, e.g. `postgres://…`, or undefined for anything else. Optional.
   */
  entryFor?(location: string): ConnectionEntryProposal | undefined;
}

/** A `connections:` entry a connector proposes for a URL or file (`ConnectorDefinition.entryFor`). */
export interface ConnectionEntryProposal {
  /** The entry, `type` included, holding the location as given. */
  readonly entry: Readonly<Record<string, string>>;
  /** The key of `entry` that holds a secret (the URL with its password), written as an `${ENV}` reference. */
  readonly secretKey?: string;
}

/** Re-exported so connector authors import everything from one module. */
export type { ScalarValue };

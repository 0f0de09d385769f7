import { z } from 'zod';
import type { Change, ChangeBatch, Checkpoint, LineRow, SourceSpec } from '../../core/connector.js';
import { subtractLookback } from '../../core/cursor-arithmetic.js';
import { SyncError } from '../../core/errors.js';
import { parseBoolean } from '../../core/value-conversion.js';
import type { Row } from '../../core/values.js';
import type { TrytonModel, TrytonModels } from './tryton-models.js';
import type { TrytonRpcClient } from './tryton-rpc.js';
import {
  valueAsText,
  decodeRecord,
  decodeValue,
  encodeDatetime,
  encodeValue,
  pickField,
  type RpcValue,
} from './tryton-values.js';

type RpcRecord = { [key: string]: RpcValue };

/** The cursor whose changes are found through both dates: `write_date` is null until a record's first write. */
export const WRITE_DATE = 'write_date';
const CREATE_DATE = 'create_date';

/** Archived records are changes too (and `deleted: active` reads them as deletes). */
const ALL_RECORDS = { active_test: false };

/**
 * The checkpoint of a Tryton source. `pass`: reading every record changed at or after `from`
 * (all records when null) in id order, after `afterId`; `highWater` is the latest change instant
 * when the pass began, where the next pass starts (less the lookback). `idle`: between passes,
 * `cursor` the mark the next pass starts from (null: read everything).
 */
const trytonCheckpointSchema = z.discriminatedUnion('phase', [
  z.object({
    phase: z.literal('pass'),
    from: z.string().nullable(),
    highWater: z.string().nullable(),
    afterId: z.number(),
  }),
  z.object({ phase: z.literal('idle'), cursor: z.string().nullable() }),
]);
type TrytonCheckpoint = z.infer<typeof trytonCheckpointSchema>;

function parseCheckpoint(source: SourceSpec, since: Checkpoint | undefined): TrytonCheckpoint {
  if (since === undefined) return { phase: 'idle', cursor: null };
  const parsed = trytonCheckpointSchema.safeParse(since);
  if (parsed.success) return parsed.data;
  throw new SyncError(
    'STATE_STORE_FAILED',
    `Flow "${source.flow}": the stored checkpoint ${JSON.stringify(since)} is not a Tryton checkpoint; reset it with "syncline resync --flow ${source.flow} --all"`,
    { flow: source.flow, retryable: false },
  );
}

/** Whether the source reads only changes (it has a cursor) or every record each cycle. */
function cursorOf(source: SourceSpec): string | undefined {
  const cursor = source.cursor;
  return cursor === undefined || cursor === '' ? undefined : cursor;
}

/** Tryton field types a cursor can be: the reader compares it with an instant (`[field >= T]`). */
const CURSOR_TYPES: ReadonlySet<string> = new Set(['datetime', 'timestamp', 'date']);

/**
 * Refuses a cursor that is not a date field of the model (`code`, `sequence`): the reader compares
 * the cursor with an instant, so such a cursor would read the same records again and miss the
 * changed ones. A field the model does not have is left to the read, which names it.
 */
export function checkCursorField(source: SourceSpec, model: TrytonModel): void {
  const cursor = cursorOf(source);
  const type = cursor === undefined ? undefined : model.types.get(cursor);
  if (cursor === undefined || type === undefined || CURSOR_TYPES.has(type)) return;
  throw new SyncError(
    'CONFIG_INVALID',
    `Flow "${source.flow}": the cursor "${cursor}" of Tryton model "${model.name}" is a ${type} field; a Tryton cursor is a date field (write_date, create_date, or another date/datetime field), or leave the cursor out to read every record each cycle`,
    { flow: source.flow, field: cursor, retryable: false },
  );
}

/** The domain of records changed at or after `from` (an ISO instant). */
function changedSince(source: SourceSpec, from: string | null): RpcValue[] {
  const cursor = cursorOf(source);
  if (cursor === undefined || from === null) return [];
  const at = encodeDatetime(from) ?? from;
  if (cursor === WRITE_DATE) return [['OR', [WRITE_DATE, '>=', at], [CREATE_DATE, '>=', at]]];
  return [[cursor, '>=', at]];
}

/** Records without a key value (a sale entered in Tryton without a reference) cannot be synced: not read. */
function hasKey(source: SourceSpec): RpcValue[] {
  return source.key === 'id' ? [] : [[source.key, '!=', null]];
}

function records(value: RpcValue): RpcRecord[] {
  return Array.isArray(value)
    ? value.filter(
        (item): item is RpcRecord => typeof item === 'object' && item !== null && !Array.isArray(item),
      )
    : [];
}

/** An ISO instant with its fraction padded to 6 digits, so instants compare as text. */
function instantOrder(instant: string): string {
  const match = /^(.*:\d{2})(?:\.(\d+))?(Z?)$/.exec(instant);
  return match === null ? instant : `${match[1] ?? ''}.${(match[2] ?? '').padEnd(6, '0')}`;
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return instantOrder(a) >= instantOrder(b) ? a : b;
}

/** Reads a Tryton model as a flow's source: changes by date, records by key, pending counts. */
export class TrytonReader {
  constructor(
    private readonly client: TrytonRpcClient,
    private readonly models: TrytonModels,
  ) {}

  #fields(source: SourceSpec): string[] {
    const cursor = cursorOf(source);
    const dates = cursor === WRITE_DATE ? [WRITE_DATE, CREATE_DATE] : cursor === undefined ? [] : [cursor];
    const deleted = source.deleted === undefined ? [] : [source.deleted];
    return [...new Set(['id', source.key, ...source.columns, ...dates, ...deleted])];
  }

  async #searchRead(
    model: string,
    domain: RpcValue[],
    limit: number | null,
    order: RpcValue,
    fields: string[],
    signal: AbortSignal,
  ): Promise<RpcRecord[]> {
    return records(
      await this.client.call(
        `model.${model}.search_read`,
        [domain, 0, limit, order, fields],
        signal,
        ALL_RECORDS,
      ),
    );
  }

  /** The latest change instant of the model, or null when it holds no record (or the source has no cursor). */
  async #highWater(source: SourceSpec, signal: AbortSignal): Promise<string | null> {
    const cursor = cursorOf(source);
    if (cursor === undefined) return null;
    const dates = cursor === WRITE_DATE ? [WRITE_DATE, CREATE_DATE] : [cursor];
    let high: string | null = null;
    for (const date of dates) {
      const [row] = await this.#searchRead(
        source.table,
        [[date, '!=', null]],
        1,
        [[date, 'DESC']],
        [date],
        signal,
      );
      const value = row === undefined ? null : decodeValue(row[date] ?? null);
      high = later(high, typeof value === 'string' ? value : null);
    }
    return high;
  }

  #toChanges(source: SourceSpec, model: TrytonModel, rows: readonly RpcRecord[]): Change[] {
    return rows.map((record) => {
      const row = decodeRecord(record, source.columns, model.types);
      const key = decodeValue(pickField(record, source.key) ?? null);
      const flag =
        source.deleted === undefined
          ? undefined
          : decodeValue(pickField(record, source.deleted), model.types.get(source.deleted));
      // `active` is Tryton's archive flag: an archived record (active false) is a deleted one.
      const isDeleted =
        source.deleted === 'active' ? parseBoolean(flag) === false : parseBoolean(flag) === true;
      return { key: valueAsText(key), op: isDeleted ? 'delete' : 'upsert', row };
    });
  }

  /** Adds each record's lines (`source.lines`), read for the page in one call per relation. */
  async #withLines(
    source: SourceSpec,
    records: readonly RpcRecord[],
    changes: Change[],
    signal: AbortSignal,
  ): Promise<Change[]> {
    if (source.lines === undefined || source.lines.length === 0 || changes.length === 0) return changes;
    const ids = records.map((record) => record['id'] as number);
    const lines = new Map<number, Record<string, LineRow[]>>();
    for (const spec of source.lines) {
      const lineModel = await this.models.get(spec.table, signal);
      const fields = [...new Set(['id', spec.key, spec.parent, ...spec.columns])];
      const rows = await this.#searchRead(
        spec.table,
        [[spec.parent, 'in', ids]],
        null,
        [
          [spec.key, 'ASC'],
          ['id', 'ASC'],
        ],
        fields,
        signal,
      );
      for (const record of rows) {
        const parent = record[spec.parent];
        if (typeof parent !== 'number') continue;
        const byName = lines.get(parent) ?? {};
        const row: Row = decodeRecord(record, spec.columns, lineModel.types);
        (byName[spec.name] ??= []).push({ key: valueAsText(decodeValue(record[spec.key] ?? null)), row });
        lines.set(parent, byName);
      }
    }
    return changes.map((change, index) => {
      const found = lines.get(ids[index] ?? -1) ?? {};
      const all = Object.fromEntries((source.lines ?? []).map((spec) => [spec.name, found[spec.name] ?? []]));
      return { ...change, lines: all };
    });
  }

  /**
   * Changes after `since`: a pass over every record changed at or after the checkpoint less the
   * lookback (dates are transaction start times, so a late commit carries an older date), in id
   * order, one page per batch; without a cursor, every record each time.
   */
  async *readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<ChangeBatch> {
    const model = await this.models.get(source.table, signal);
    checkCursorField(source, model);
    let checkpoint = parseCheckpoint(source, since);
    if (checkpoint.phase === 'idle') {
      const highWater = await this.#highWater(source, signal);
      const from =
        checkpoint.cursor === null ? null : String(subtractLookback(checkpoint.cursor, source.lookback));
      checkpoint = { phase: 'pass', from, highWater, afterId: 0 };
    }
    const pass = checkpoint;
    const fields = this.#fields(source);
    let afterId = pass.afterId;
    // The next pass starts from the latest change instant before this one began (less the
    // lookback), not from the latest seen: a record changed during a long pass, behind the page
    // being read, carries a date after that mark and is read by the next pass.
    const mark = pass.highWater ?? pass.from;
    for (;;) {
      signal.throwIfAborted();
      const domain = [['id', '>', afterId], ...hasKey(source), ...changedSince(source, pass.from)];
      const page = await this.#searchRead(
        source.table,
        domain,
        source.batchSize,
        [['id', 'ASC']],
        fields,
        signal,
      );
      const last = page.at(-1);
      if (last !== undefined) afterId = last['id'] as number;
      const isLast = page.length < source.batchSize;
      const next: TrytonCheckpoint = isLast
        ? { phase: 'idle', cursor: mark }
        : { phase: 'pass', from: pass.from, highWater: pass.highWater, afterId };
      const changes = await this.#withLines(source, page, this.#toChanges(source, model, page), signal);
      if (changes.length > 0 || isLast) yield { changes, checkpoint: next };
      if (isLast) return;
    }
  }

  /** Records by key (resync, replay); missing keys are absent. */
  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    if (keys.length === 0) return [];
    const model = await this.models.get(source.table, signal);
    const type = model.types.get(source.key);
    const values = keys.map((key) => encodeValue(source.key, key, type));
    const rows = await this.#searchRead(
      source.table,
      [[source.key, 'in', values]],
      null,
      [['id', 'ASC']],
      this.#fields(source),
      signal,
    );
    return this.#withLines(source, rows, this.#toChanges(source, model, rows), signal);
  }

  /** Records changed after `since` (all records without a cursor), counted up to `limit`. */
  async countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    checkCursorField(source, await this.models.get(source.table, signal));
    const checkpoint = parseCheckpoint(source, since);
    const from =
      checkpoint.phase === 'pass'
        ? checkpoint.from
        : checkpoint.cursor === null
          ? null
          : String(subtractLookback(checkpoint.cursor, source.lookback));
    const afterId = checkpoint.phase === 'pass' ? checkpoint.afterId : 0;
    const domain = [['id', '>', afterId], ...hasKey(source), ...changedSince(source, from)];
    const count = await this.client.call(`model.${source.table}.search_count`, [domain], signal, ALL_RECORDS);
    return Math.min(typeof count === 'number' ? count : 0, limit);
  }
}

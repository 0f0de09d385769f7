import type { LineTargetSpec, TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { parseBoolean } from '../../core/value-conversion.js';
import type { Row } from '../../core/values.js';
import { lineCommands, type ExistingLine } from './tryton-lines.js';
import type { TrytonModel } from './tryton-models.js';
import { partyCommands, splitPartyValues, type PartyChildren } from './tryton-party.js';
import { decodeValue, encodeValue, valueAsText, type RpcValue } from './tryton-values.js';
import { normalizeDecimal } from '../../core/decimal.js';
import { hasWorkflow, reachableStates, STATE_FIELD } from './tryton-workflow.js';

/** A record at the target found by its key. */
export interface FoundRecord {
  readonly id: number;
  /** Its workflow state, for models with one. */
  readonly state: string | undefined;
  /** Its stored values of the mapped scalar fields. */
  readonly values?: Readonly<Record<string, RpcValue>>;
}

/** What is known at the target before a batch is written, read in a few calls for the whole batch. */
export interface TargetSnapshot {
  /** Records by key text. */
  readonly found: ReadonlyMap<string, FoundRecord>;
  /** Existing lines per relation name, per parent id. */
  readonly lines: ReadonlyMap<string, ReadonlyMap<number, readonly ExistingLine[]>>;
  /** A party's first contact mechanisms and address, per party id. */
  readonly party: ReadonlyMap<number, PartyChildren>;
}

/** A line relation of the model, with the line model's fields. */
export interface LineRelation {
  readonly spec: LineTargetSpec;
  readonly model: TrytonModel;
}

/** One record ready to write: Tryton values (relation commands included) and the state to reach. */
export interface PlannedRecord {
  readonly record: TargetRecord;
  /** The record's id when it exists at the target. */
  readonly existing: FoundRecord | undefined;
  readonly values: Record<string, RpcValue>;
  /** The workflow state the record maps, reached through buttons after (or, back to draft, before) the write. */
  readonly state: string | undefined;
}

/** The text a key value is matched by, for the key field's type. */
export function keyText(model: TrytonModel, key: string, value: Row[string] | undefined): string {
  return valueAsText(encodeValue(key, value ?? null, model.types.get(key)));
}

function encodeRow(model: TrytonModel, row: Row, skip: ReadonlySet<string>): Record<string, RpcValue> {
  const out: Record<string, RpcValue> = {};
  for (const [name, value] of Object.entries(row)) {
    if (skip.has(name)) continue;
    const field = model.fields.get(name);
    if (field === undefined)
      throw new ConnectorError(
        'CONNECTOR_COLUMN_NOT_FOUND',
        `Tryton model "${model.name}" has no field "${name}"`,
        { field: name },
      );
    out[name] = encodeValue(name, value, field.type);
  }
  return out;
}

/** Tryton's archive flag: `active` false hides a record, the opposite of a soft-delete flag. */
export const ARCHIVE_FIELD = 'active';

/**
 * With `onDelete: { soft: active }` the engine writes the column true for a deleted record and
 * false for the others; Tryton's `active` means the opposite, so it is written inverted.
 */
function archiveFlag(target: TargetSpec, values: Row): Row {
  const policy = target.onDelete;
  if (policy.mode !== 'soft' || policy.column !== ARCHIVE_FIELD || !(ARCHIVE_FIELD in values)) return values;
  return { ...values, [ARCHIVE_FIELD]: parseBoolean(values[ARCHIVE_FIELD]) !== true };
}

/**
 * A record's values as Tryton takes them: own fields encoded by their Tryton type, party
 * virtual fields as contact mechanism and address commands, lines as one2many commands, and a
 * mapped workflow `state` set apart (it is reached through buttons). Throws a record's
 * ConnectorError for a value Tryton could not take (unknown field, wrong type, unknown state).
 */
export function planRecord(
  target: TargetSpec,
  model: TrytonModel,
  record: TargetRecord,
  relations: readonly LineRelation[],
  snapshot: TargetSnapshot,
  addressModel: TrytonModel | undefined,
): PlannedRecord {
  const existing = snapshot.found.get(keyText(model, target.key, record.values[target.key]));
  const split = splitPartyValues(model.name, archiveFlag(target, record.values));
  const workflow = hasWorkflow(model.name) && STATE_FIELD in split.own;
  const rawState = workflow ? split.own[STATE_FIELD] : undefined;
  const state = rawState === undefined || rawState === null ? undefined : valueAsText(rawState);
  if (state !== undefined && !reachableStates(model.name).includes(state))
    throw new ConnectorError(
      'CONNECTOR_VALUE_REJECTED',
      `Tryton cannot set state "${state}" of a ${model.name} through its buttons; possible states: ${reachableStates(model.name).join(', ')}`,
      { field: STATE_FIELD },
    );
  const skip = new Set<string>(['id', ...(workflow ? [STATE_FIELD] : [])]);
  const values = encodeRow(model, split.own, skip);
  const address = addressModel === undefined ? {} : encodeRow(addressModel, split.address, new Set());
  Object.assign(
    values,
    partyCommands(split, address, existing === undefined ? undefined : snapshot.party.get(existing.id)),
  );
  for (const relation of relations) {
    const lines = record.lines?.[relation.spec.name];
    if (lines === undefined) continue;
    const current =
      existing === undefined ? [] : (snapshot.lines.get(relation.spec.name)?.get(existing.id) ?? []);
    values[relation.spec.name] = lineCommands(relation.spec, lines, current, (row) =>
      encodeRow(relation.model, row, new Set(['id'])),
    );
  }
  return { record, existing, values, state };
}

function comparable(value: RpcValue | undefined, type: string | undefined): unknown {
  const decoded = decodeValue(value ?? null, type);
  if (type === 'numeric' && typeof decoded === 'string') return normalizeDecimal(decoded) ?? decoded;
  if (type === 'float' && typeof decoded === 'string') return Number(decoded);
  return decoded instanceof Uint8Array ? Buffer.from(decoded).toString('hex') : JSON.stringify(decoded);
}

/**
 * Whether writing the plan would change nothing: an existing record without lines, party
 * contact/address values or a state to reach, whose every value equals the stored one (decimals
 * by value, `1`/`0` as booleans). It is then reported `unchanged` and not written, so its
 * `write_date` does not move (a flow reading Tryton back would see a change that is none).
 */
export function isUnchanged(model: TrytonModel, plan: PlannedRecord): boolean {
  const stored = plan.existing?.values;
  if (stored === undefined || plan.state !== undefined || plan.record.lines !== undefined) return false;
  return Object.entries(plan.values).every(([name, value]) => {
    const type = model.types.get(name);
    if (type === 'one2many' || type === 'many2many' || !(name in stored)) return false;
    return comparable(value, type) === comparable(stored[name], type);
  });
}

import type { TargetRecord } from './connector.js';
import type { FieldReference, Flow } from './flow.js';
import type { DeadLetterInput, StateStore } from './state-store.js';
import { convertValue } from './value-conversion.js';
import { valueText, type Row } from './values.js';

/** The error code of a record waiting for a referenced record. */
export const REFERENCE_MISSING = 'REFERENCE_MISSING';

/** Mapped records with their references translated, and those whose referenced record is not there yet. */
export interface TranslatedReferences {
  readonly records: readonly TargetRecord[];
  /** Dead letters of kind `reference`, retried automatically (see retryWaitingReferences). */
  readonly waiting: readonly DeadLetterInput[];
}

/**
 * Replaces each `ref` field's value — a source key of the referenced flow — with the id the
 * target gave that record (the referenced flow's key map, `target.id`), converted to the field's
 * type if it declares one. A record whose referenced record has no id yet waits as a dead letter
 * of kind `reference`; NULL references stay NULL.
 */
export async function translateReferences(
  flow: Flow,
  state: StateStore,
  records: readonly TargetRecord[],
  rows: ReadonlyMap<string, Row>,
): Promise<TranslatedReferences> {
  if (flow.references.length === 0 || records.length === 0) return { records, waiting: [] };
  /** The rows a reference's field is in: the record's values, or each line of its relation. */
  const rowsOf = (record: TargetRecord, reference: FieldReference): readonly Row[] =>
    reference.lines === undefined
      ? [record.values]
      : (record.lines?.[reference.lines] ?? []).map((line) => line.row);
  const ids = new Map<string, Map<string, string | undefined>>();
  for (const reference of flow.references) {
    const keys = new Set<string>();
    for (const record of records) {
      if (record.op !== 'upsert') continue;
      for (const row of rowsOf(record, reference)) {
        const value = row[reference.field];
        if (value !== null && value !== undefined) keys.add(valueText(value));
      }
    }
    const synced = await state.getSynced(reference.flow, [...keys]);
    const byKey = ids.get(reference.flow) ?? new Map<string, string | undefined>();
    for (const key of keys) byKey.set(key, synced.get(key)?.targetId);
    ids.set(reference.flow, byKey);
  }
  const translated: TargetRecord[] = [];
  const waiting: DeadLetterInput[] = [];
  for (const record of records) {
    if (record.op !== 'upsert') {
      translated.push(record);
      continue;
    }
    const values: Row = { ...record.values };
    const lines = Object.fromEntries(
      Object.entries(record.lines ?? {}).map(([name, rows]) => [
        name,
        rows.map((line) => ({ key: line.key, row: { ...line.row } })),
      ]),
    );
    const copy: TargetRecord = { ...record, values, ...(record.lines === undefined ? {} : { lines }) };
    let missing: DeadLetterInput | undefined;
    for (const reference of flow.references) {
      for (const row of rowsOf(copy, reference)) {
        const value = row[reference.field];
        if (value === null || value === undefined) continue;
        const id = ids.get(reference.flow)?.get(valueText(value));
        if (id === undefined) {
          const field =
            reference.lines === undefined ? reference.field : `${reference.lines}.${reference.field}`;
          missing = {
            flow: flow.name,
            key: record.key,
            field,
            kind: 'reference',
            code: REFERENCE_MISSING,
            reason: `${field}: record "${valueText(value)}" of flow "${reference.flow}" has no id in the target yet (not synced yet, or its id not known: target.id not read back); retried on the next cycles`,
            payload: rows.get(record.key) ?? record.values,
          };
          break;
        }
        const type =
          reference.lines === undefined
            ? flow.target.types[reference.field]
            : flow.target.lines?.find((line) => line.name === reference.lines)?.types[reference.field];
        const converted = type === undefined ? undefined : convertValue(id, type);
        row[reference.field] = converted?.ok === true ? converted.value : id;
      }
      if (missing !== undefined) break;
    }
    if (missing === undefined) translated.push(copy);
    else waiting.push(missing);
  }
  return { records: translated, waiting };
}

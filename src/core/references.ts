import type { TargetRecord } from './connector.js';
import type { Flow } from './flow.js';
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
  const ids = new Map<string, Map<string, string | undefined>>();
  for (const reference of flow.references) {
    const keys = new Set<string>();
    for (const record of records) {
      const value = record.values[reference.field];
      if (record.op === 'upsert' && value !== null && value !== undefined) keys.add(valueText(value));
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
    let missing: DeadLetterInput | undefined;
    for (const reference of flow.references) {
      const value = values[reference.field];
      if (value === null || value === undefined) continue;
      const id = ids.get(reference.flow)?.get(valueText(value));
      if (id === undefined) {
        missing = {
          flow: flow.name,
          key: record.key,
          field: reference.field,
          kind: 'reference',
          code: REFERENCE_MISSING,
          reason: `${reference.field}: record "${valueText(value)}" of flow "${reference.flow}" has no id in the target yet (not synced yet, or its target.id not read back); retried on the next cycles`,
          payload: rows.get(record.key) ?? record.values,
        };
        break;
      }
      const type = flow.target.types[reference.field];
      const converted = type === undefined ? undefined : convertValue(id, type);
      values[reference.field] = converted?.ok === true ? converted.value : id;
    }
    if (missing === undefined) translated.push({ ...record, values });
    else waiting.push(missing);
  }
  return { records: translated, waiting };
}

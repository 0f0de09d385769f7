import type { SyncErrorJson } from '../../core/errors.js';
import { ConnectorError } from '../../core/errors.js';
import { fieldLabelOf, isRecordError } from './tryton-errors.js';

/** An item of a batch call that Tryton refused, with the record's error. */
export interface Refusal<T> {
  readonly item: T;
  readonly error: ConnectorError;
}

/** What became of the items of a call made for many records at once. */
export interface BatchCallResult<T, R> {
  readonly done: readonly (readonly [T, R])[];
  readonly refused: readonly Refusal<T>[];
}

/**
 * Makes one call for all `items`; when Tryton refuses it for a record's reason (a UserError —
 * the call was rolled back whole), makes it again one item at a time, so exactly the refused
 * items are found and the others written. `results` splits a call's answer per item. Errors that
 * are the system's (timeouts, 5xx, lost sessions) are thrown: the whole batch is retried.
 */
export async function callWithFallback<T, R>(
  items: readonly T[],
  call: (items: readonly T[]) => Promise<readonly R[]>,
): Promise<BatchCallResult<T, R>> {
  if (items.length === 0) return { done: [], refused: [] };
  try {
    const results = await call(items);
    return { done: items.map((item, index) => [item, results[index] as R] as const), refused: [] };
  } catch (error) {
    if (!isRecordError(error)) throw error;
    if (items.length === 1) return { done: [], refused: [{ item: items[0] as T, error }] };
  }
  const done: (readonly [T, R])[] = [];
  const refused: Refusal<T>[] = [];
  for (const item of items) {
    try {
      const [result] = await call([item]);
      done.push([item, result as R]);
    } catch (error) {
      if (!isRecordError(error)) throw error;
      refused.push({ item, error });
    }
  }
  return { done, refused };
}

/**
 * A refused record's error as stored in its outcome: Tryton's message alone, the record's key and
 * flow, and the field — named by Tryton, or found from the label its message names.
 */
export function refusalJson(
  error: ConnectorError,
  key: string,
  flow: string,
  labels: ReadonlyMap<string, string>,
): SyncErrorJson {
  const label = fieldLabelOf(error.message);
  const field = error.field ?? (label === undefined ? undefined : labels.get(label));
  return {
    code: error.code,
    message: error.message,
    retryable: false,
    flow,
    key,
    ...(field === undefined ? {} : { field }),
  };
}

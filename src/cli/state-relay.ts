import type { MessagePort, Worker } from 'node:worker_threads';
import { SyncError, toSyncError, type SyncErrorJson } from '../core/errors.js';
import type { StateStore } from '../core/state-store.js';
import { isJsonNull, JSON_NULL } from '../core/values.js';

// A lane's worker thread uses the cycle's own state store through messages (lane-threads.ts): one
// connection and one writer for the whole cycle, so lanes never wait on each other's SQLite locks,
// and a thread opens no store of its own.

/** A state-store call from a lane thread. */
export interface StateCall {
  readonly type: 'state';
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
  /** Whether `args` went through `encodeForRelay` (they held a JsonNull). */
  readonly isEncoded: boolean;
}

/** Its answer. */
export type StateAnswer =
  | {
      readonly type: 'state-result';
      readonly id: number;
      readonly value: unknown;
      readonly isEncoded: boolean;
    }
  | { readonly type: 'state-error'; readonly id: number; readonly error: SyncErrorJson };

/** What structured cloning would lose: the JSON null document becomes this marker in transit. */
const JSON_NULL_MARKER = '$syncline.jsonNull';

/** Whether `value` holds a JsonNull anywhere: as a rule it does not, and is sent as it is. */
function holdsJsonNull(value: unknown): boolean {
  if (isJsonNull(value)) return true;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return false;
  if (value instanceof Map) {
    for (const entry of value.values()) if (holdsJsonNull(entry)) return true;
    return false;
  }
  if (Array.isArray(value)) {
    for (const entry of value) if (holdsJsonNull(entry)) return true;
    return false;
  }
  for (const key in value) if (holdsJsonNull((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * `value` ready for the copy between threads: as it is (`isEncoded` false), or, when it holds a
 * JsonNull, a copy with each replaced by a marker (`decodeFromRelay` restores them).
 */
export function toRelay(value: unknown): { readonly value: unknown; readonly isEncoded: boolean } {
  return holdsJsonNull(value)
    ? { value: encodeForRelay(value), isEncoded: true }
    : { value, isEncoded: false };
}

/** `value` with every JsonNull replaced by a marker, so it survives the copy between threads. */
export function encodeForRelay(value: unknown): unknown {
  if (isJsonNull(value)) return { [JSON_NULL_MARKER]: true };
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [key, encodeForRelay(entry)]));
  if (Array.isArray(value)) return value.map(encodeForRelay);
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, encodeForRelay(entry)]));
}

/** The inverse of `encodeForRelay`. */
export function decodeFromRelay(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [key, decodeFromRelay(entry)]));
  if (Array.isArray(value)) return value.map(decodeFromRelay);
  const record = value as Record<string, unknown>;
  if (record[JSON_NULL_MARKER] === true && Object.keys(record).length === 1) return JSON_NULL;
  return Object.fromEntries(Object.entries(record).map(([key, entry]) => [key, decodeFromRelay(entry)]));
}

/**
 * The cycle's side: answers a lane thread's state-store call with the cycle's store. Only methods
 * of the store are called; anything else is answered with an error naming it.
 */
export function answerStateCall(worker: Worker, state: StateStore, call: StateCall): void {
  const method = (state as unknown as Record<string, unknown>)[call.method];
  const run = async (): Promise<unknown> => {
    if (typeof method !== 'function')
      throw new SyncError(
        'INTERNAL',
        `a backfill lane asked the state store for "${call.method}", which it has not`,
      );
    const args = call.isEncoded ? call.args.map(decodeFromRelay) : [...call.args];
    return (method as (...args: unknown[]) => Promise<unknown>).apply(state, args);
  };
  run().then(
    (value) => {
      worker.postMessage({
        type: 'state-result',
        id: call.id,
        ...toRelay(value),
      } satisfies StateAnswer);
    },
    (error: unknown) => {
      worker.postMessage({
        type: 'state-error',
        id: call.id,
        error: toSyncError(error).toJSON(),
      } satisfies StateAnswer);
    },
  );
}

/**
 * The lane thread's side: a StateStore whose every method is a call to the cycle's store. Feed it
 * the answers with `settle`.
 */
export function relayedStateStore(port: MessagePort): {
  readonly state: StateStore;
  readonly settle: (answer: StateAnswer) => void;
} {
  let next = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const state = new Proxy({} as StateStore, {
    get: (_target, method) => {
      if (typeof method !== 'string' || method === 'then') return undefined;
      // A thread opens nothing, so it has nothing to close.
      if (method === 'close') return () => Promise.resolve();
      return (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          next += 1;
          waiting.set(next, { resolve, reject });
          const relayed = toRelay(args);
          port.postMessage({
            type: 'state',
            id: next,
            method,
            args: relayed.value as unknown[],
            isEncoded: relayed.isEncoded,
          } satisfies StateCall);
        });
    },
  });
  const settle = (answer: StateAnswer): void => {
    const entry = waiting.get(answer.id);
    if (entry === undefined) return;
    waiting.delete(answer.id);
    if (answer.type === 'state-result')
      entry.resolve(answer.isEncoded ? decodeFromRelay(answer.value) : answer.value);
    else {
      const { code, message, ...rest } = answer.error;
      entry.reject(new SyncError(code, message, rest));
    }
  };
  return { state, settle };
}

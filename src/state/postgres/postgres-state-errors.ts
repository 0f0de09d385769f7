import { StateStoreError, SyncError } from '../../core/errors.js';
import { redactText } from '../../config/secret.js';

/** What the store was doing when an error happened, for the message. */
export interface PostgresStateErrorContext {
  /** The store's URL, password masked. */
  readonly store: string;
  /** What failed, as a verb phrase: `commit a batch of flow "orders"`. */
  readonly operation: string;
  /** The flow concerned, when there is one. */
  readonly flow?: string;
  /** Values to mask should the driver echo them (the password). */
  readonly secrets: readonly string[];
}

interface Diagnosis {
  readonly retryable: boolean;
  readonly reason: string;
}

/** Node's codes of a connection that failed or was lost: the server may be back soon. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** pg's messages of a lost or never-made connection, which carry no code. */
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|not queryable/i;

/** SQLSTATEs with a reason of their own; others go by their class (first two characters). */
const BY_SQLSTATE: Readonly<Record<string, Diagnosis>> = {
  '40001': { retryable: true, reason: 'a concurrent transaction conflicted with this one' },
  '40P01': { retryable: true, reason: 'a deadlock with another transaction was broken' },
  '55P03': { retryable: true, reason: 'a row or table stayed locked by another session' },
  '57014': { retryable: true, reason: 'the statement was cancelled or timed out' },
  '57P01': { retryable: true, reason: 'the server is shutting down' },
  '57P03': { retryable: true, reason: 'the server is starting up or shutting down' },
  '53300': { retryable: true, reason: 'the server has too many connections' },
  '3D000': { retryable: false, reason: 'the database does not exist; create it or fix `state:`' },
  '42501': {
    retryable: false,
    reason: 'the user lacks a privilege on the state schema (it needs CREATE on the database or schema)',
  },
};

const BY_CLASS: Readonly<Record<string, Diagnosis>> = {
  '08': { retryable: true, reason: 'the connection to the server failed' },
  '40': { retryable: true, reason: 'the transaction was rolled back by the server' },
  '53': { retryable: true, reason: 'the server ran out of a resource (disk, memory, connections)' },
  '28': { retryable: false, reason: 'the server refused the user or password of `state:`' },
  '23': { retryable: false, reason: 'the change breaks a constraint of the state schema' },
  '22': { retryable: false, reason: 'a value was refused' },
};

function diagnose(error: unknown, message: string): Diagnosis & { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return { code, retryable: true, reason: 'the server cannot be reached' };
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const diagnosis = BY_SQLSTATE[code] ?? BY_CLASS[code.slice(0, 2)];
      return { code, ...(diagnosis ?? { retryable: false, reason: 'PostgreSQL reported an error' }) };
    }
  }
  if (CONNECTION_MESSAGES.test(message))
    return { retryable: true, reason: 'the connection to the server failed' };
  if (/after calling end on the pool/i.test(message))
    return { retryable: false, reason: 'the store is closed' };
  if (error instanceof TypeError && /serializ|circular|BigInt/i.test(message))
    return { retryable: false, reason: 'a value is not plain JSON' };
  return { retryable: false, reason: 'it failed' };
}

/** The readable text of a thrown value; Node reports a refused dual-stack connect as an AggregateError with no message. */
function driverMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError) return error.errors.map(driverMessage).join('; ');
  return error.name;
}

/**
 * Turns whatever pg threw into a StateStoreError naming the store (password masked), the
 * operation and the reason. Lost connections, deadlocks, serialization failures and a server
 * short of resources are retryable; refused credentials, a missing database, a broken
 * constraint and a value that is not JSON are not. A SyncError passes through unchanged.
 */
export function toPostgresStateError(error: unknown, context: PostgresStateErrorContext): SyncError {
  if (error instanceof SyncError) return error;
  const message = redactText(driverMessage(error), context.secrets);
  const { code, retryable, reason } = diagnose(error, message);
  return new StateStoreError(
    `State store ${context.store}: could not ${context.operation}: ${reason} (${code === undefined ? '' : `${code}: `}${message})`,
    { retryable, cause: error, ...(context.flow === undefined ? {} : { flow: context.flow }) },
  );
}

import { StateStoreError, SyncError } from '../../core/errors.js';

/** How long a statement waits for another connection's write lock before SQLITE_BUSY (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** What the store was doing when an error happened, for the message. */
export interface SqliteStateErrorContext {
  /** The database file (or `:memory:`). */
  readonly file: string;
  /** What failed, as a verb phrase: `commit a batch of flow "orders"`. */
  readonly operation: string;
  /** The flow concerned, when there is one. */
  readonly flow?: string;
}

interface Diagnosis {
  readonly retryable: boolean;
  readonly explain: (context: SqliteStateErrorContext) => string;
}

/** Primary result codes (extended codes such as SQLITE_BUSY_SNAPSHOT map by their prefix). */
const diagnoses: Readonly<Record<string, Diagnosis>> = {
  SQLITE_BUSY: {
    retryable: true,
    explain: (c) =>
      `${c.file} stayed locked by another connection for ${SQLITE_BUSY_TIMEOUT_MS} ms; another Syncline process may be writing to it`,
  },
  SQLITE_LOCKED: {
    retryable: true,
    explain: (c) => `a table of ${c.file} is locked by another statement of this process`,
  },
  SQLITE_READONLY: {
    retryable: false,
    explain: (c) => `${c.file} is read-only; make the file and its directory writable by this user`,
  },
  SQLITE_CANTOPEN: {
    retryable: false,
    explain: (c) => `${c.file} cannot be opened; check that the path is right and its directory is writable`,
  },
  SQLITE_PERM: {
    retryable: false,
    explain: (c) => `access to ${c.file} was denied; check its permissions`,
  },
  SQLITE_NOTADB: {
    retryable: false,
    explain: (c) => `${c.file} is not a SQLite database; point \`state:\` at a new or a Syncline state file`,
  },
  SQLITE_CORRUPT: {
    retryable: false,
    explain: (c) => `${c.file} is damaged; restore it from a backup or move it away to start afresh`,
  },
  SQLITE_FULL: {
    retryable: true,
    explain: (c) => `the disk holding ${c.file} is full; free some space`,
  },
  SQLITE_IOERR: {
    retryable: true,
    explain: (c) => `the disk returned an I/O error for ${c.file}`,
  },
  SQLITE_CONSTRAINT: {
    retryable: false,
    explain: (c) => `the change breaks a constraint of ${c.file}`,
  },
};

/** The SQLite result code of a better-sqlite3 error (`SQLITE_BUSY_SNAPSHOT`), if it is one. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

function diagnose(code: string): Diagnosis | undefined {
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  return primary === undefined ? undefined : diagnoses[primary];
}

/**
 * Turns whatever the SQLite state store's driver threw into a StateStoreError whose message names
 * the file, the operation and the reason. Busy, locked, full and I/O errors are retryable; a
 * read-only, missing or damaged file, a broken constraint and a value that is not JSON are not.
 */
export function toSqliteStateError(error: unknown, context: SqliteStateErrorContext): SyncError {
  if (error instanceof SyncError) return error;
  const flowOption = context.flow === undefined ? {} : { flow: context.flow };
  const prefix = `State store ${context.file}: could not ${context.operation}`;
  const code = sqliteErrorCode(error);
  const driverMessage = error instanceof Error ? error.message : String(error);
  if (code !== undefined) {
    const diagnosis = diagnose(code);
    const reason = diagnosis === undefined ? 'SQLite reported an error' : diagnosis.explain(context);
    return new StateStoreError(`${prefix}: ${reason} (${code}: ${driverMessage})`, {
      ...flowOption,
      retryable: diagnosis?.retryable ?? false,
      cause: error,
    });
  }
  if (error instanceof TypeError && /not open/i.test(driverMessage)) {
    return new StateStoreError(`${prefix}: the store is closed`, {
      ...flowOption,
      retryable: false,
      cause: error,
    });
  }
  if (error instanceof TypeError && /serializ|circular|BigInt/i.test(driverMessage)) {
    return new StateStoreError(`${prefix}: a value is not plain JSON (${driverMessage})`, {
      ...flowOption,
      retryable: false,
      cause: error,
    });
  }
  return new StateStoreError(`${prefix}: ${driverMessage}`, {
    ...flowOption,
    retryable: false,
    cause: error,
  });
}

/** Runs a synchronous driver call as a promise, mapping what it throws with `toSqliteStateError`. */
export function settleSqliteCall<T>(context: SqliteStateErrorContext, action: () => T): Promise<T> {
  try {
    return Promise.resolve(action());
  } catch (error) {
    return Promise.reject(toSqliteStateError(error, context));
  }
}

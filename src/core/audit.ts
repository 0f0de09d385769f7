import { hostname, userInfo } from 'node:os';
import { toSyncError } from './errors.js';
import type { AuditInput, StateStore } from './state-store.js';

/** Who runs this process, for the audit log: `SYNCLINE_ACTOR` if set, else `user@host`. */
export function currentActor(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const configured = env.SYNCLINE_ACTOR?.trim();
  if (configured !== undefined && configured !== '') return configured;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the host still says where it ran.
  }
  return `${user}@${hostname()}`;
}

/** What an audited action reports when it ends. */
export interface AuditedOutcome<T> {
  readonly value: T;
  /** Whether it did what was asked (a partial failure is `false`). */
  readonly isSuccess: boolean;
  /** One sentence for the log: counts, what was not done and why. */
  readonly outcome: string;
}

/**
 * Runs a manual action with an audit entry around it: recorded as `started` before anything is
 * touched, then finished with its result — also when it throws, so a crashed action still shows
 * who started what, and when.
 */
export async function audited<T>(
  state: StateStore,
  entry: AuditInput,
  work: () => Promise<AuditedOutcome<T>>,
): Promise<T> {
  const id = await state.startAudit(entry);
  let result: AuditedOutcome<T>;
  try {
    result = await work();
  } catch (error) {
    await state.finishAudit(id, 'failed', toSyncError(error).message).catch(() => undefined);
    throw error;
  }
  await state.finishAudit(id, result.isSuccess ? 'succeeded' : 'failed', result.outcome);
  return result.value;
}

/**
 * Records an action that was refused before it started (a missing token, a role too low): one
 * entry, already finished as `failed`, through the same writer as every other audit entry.
 */
export async function auditRefusal(state: StateStore, entry: AuditInput, outcome: string): Promise<void> {
  const id = await state.startAudit(entry);
  await state.finishAudit(id, 'failed', outcome);
}

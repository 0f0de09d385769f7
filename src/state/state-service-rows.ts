import type { AlertEpisode, AlertHistoryStatus } from '../core/alert-history.js';
import type { InboxEvent } from '../core/inbox.js';
import type { AuditEntry, AuditResult } from '../core/state-store.js';
import type { StoredToken } from '../core/token-store.js';
import type { JsonValue } from '../core/values.js';

// Rows of what the services around the flows keep (audit log, alert history, API tokens, inbox
// events) as every state store reads them, and the records made from them. Both stores return
// these columns with the same JavaScript types: ids as numbers, times as ISO 8601 UTC text with
// milliseconds, JSON as the text it was written as.

/** A row of `audit_log`. */
export interface AuditRow {
  id: number;
  actor: string;
  action: string;
  flow: string | null;
  subject: string | null;
  /** JSON text; NULL when no details were given (a given `null` is the text `null`). */
  details: string | null;
  at: string;
  finished_at: string | null;
  result: string;
  outcome: string | null;
}

/** A row of `alert_history`. */
export interface AlertRow {
  id: number;
  rule: string;
  flow: string;
  severity: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  summary: string;
  updated_at: string;
}

/** A row of `api_tokens`. */
export interface TokenRow {
  id: number;
  name: string;
  role: string;
  hash: string;
  prefix: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A row of `inbox_events`. */
export interface InboxRow {
  id: number;
  inbox: string;
  event_key: string | null;
  received_at: string;
  /** JSON text. */
  payload: string;
  /** JSON object text. */
  headers: string | null;
}

/** The SELECT of the audit log, in AuditRow's shape, before its filters. */
export const SELECT_AUDIT =
  'SELECT id, actor, action, flow, subject, details, at, finished_at, result, outcome FROM audit_log';

/** The SELECT of alert episodes, in AlertRow's shape, before its filters. */
export const SELECT_ALERTS =
  'SELECT id, rule, flow, severity, status, starts_at, ends_at, summary, updated_at FROM alert_history';

/** The SELECT of API tokens, in TokenRow's shape, before its filters. */
export const SELECT_TOKENS = `SELECT id, name, role, hash, prefix, created_at, created_by, expires_at, last_used_at,
  revoked_at FROM api_tokens`;

/** An audit entry from its row; what the row does not hold is left out. */
export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    actor: row.actor,
    action: row.action,
    ...(row.flow === null ? {} : { flow: row.flow }),
    ...(row.subject === null ? {} : { subject: row.subject }),
    ...(row.details === null ? {} : { details: JSON.parse(row.details) as JsonValue }),
    at: row.at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    result: row.result as AuditResult,
    ...(row.outcome === null ? {} : { outcome: row.outcome }),
  };
}

/** An alert episode from its row; `endsAt` is left out while it is open. */
export function alertFromRow(row: AlertRow): AlertEpisode {
  return {
    id: row.id,
    rule: row.rule,
    flow: row.flow,
    severity: row.severity,
    status: row.status as AlertHistoryStatus,
    startsAt: row.starts_at,
    ...(row.ends_at === null ? {} : { endsAt: row.ends_at }),
    summary: row.summary,
    updatedAt: row.updated_at,
  };
}

/** A stored token from its row: the hash only, never the token text. */
export function tokenFromRow(row: TokenRow): StoredToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    hash: row.hash,
    prefix: row.prefix,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
  };
}

/** An inbox event from its row; `eventKey` and `headers` are left out when the row has none. */
export function eventFromRow(row: InboxRow): InboxEvent {
  return {
    id: row.id,
    inbox: row.inbox,
    ...(row.event_key === null ? {} : { eventKey: row.event_key }),
    receivedAt: row.received_at,
    payload: JSON.parse(row.payload) as JsonValue,
    ...(row.headers === null ? {} : { headers: JSON.parse(row.headers) as Record<string, string> }),
  };
}

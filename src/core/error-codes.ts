/**
 * Every error code Syncline reports, with its message, whether it is worth retrying by default,
 * and the HTTP status the admin API answers with. `docs/errors.md` documents each one; a unit
 * test fails when a code is missing there.
 */
export const ErrorCodes = {
  CONFIG_INVALID: { message: 'The configuration is invalid', retryable: false, httpStatus: 400 },
  CONFIG_NOT_FOUND: { message: 'The configuration file was not found', retryable: false, httpStatus: 400 },
  SCHEMA_MISMATCH: {
    message: 'The configured tables or columns do not match the live schema',
    retryable: false,
    httpStatus: 400,
  },
  CONNECTOR_UNKNOWN_TYPE: {
    message: 'No connector of this type is installed',
    retryable: false,
    httpStatus: 400,
  },
  CONNECTOR_AUTH_FAILED: { message: 'The system refused the credentials', retryable: false, httpStatus: 502 },
  CONNECTOR_UNAVAILABLE: {
    message: 'The system could not be reached or dropped the connection',
    retryable: true,
    httpStatus: 503,
  },
  CONNECTOR_TIMEOUT: { message: 'The system did not answer in time', retryable: true, httpStatus: 504 },
  CONNECTOR_DEADLOCK: {
    message: 'The write was chosen as a deadlock victim',
    retryable: true,
    httpStatus: 503,
  },
  CONNECTOR_LOCK_TIMEOUT: {
    message: 'The write waited too long for a lock',
    retryable: true,
    httpStatus: 503,
  },
  CONNECTOR_SERIALIZATION_FAILURE: {
    message: 'The transaction could not be serialized with a concurrent one',
    retryable: true,
    httpStatus: 503,
  },
  CONNECTOR_TOO_MANY_CONNECTIONS: {
    message: 'The system has no free connection slots',
    retryable: true,
    httpStatus: 503,
  },
  CONNECTOR_THROTTLED: { message: 'The system asked us to slow down', retryable: true, httpStatus: 429 },
  CONNECTOR_TABLE_NOT_FOUND: { message: 'The table does not exist', retryable: false, httpStatus: 400 },
  CONNECTOR_COLUMN_NOT_FOUND: { message: 'The column does not exist', retryable: false, httpStatus: 400 },
  CONNECTOR_CONSTRAINT_VIOLATION: {
    message: 'The record violates a constraint of the target table',
    retryable: false,
    httpStatus: 422,
  },
  CONNECTOR_VALUE_REJECTED: {
    message: 'The target rejected a value (type, length or range)',
    retryable: false,
    httpStatus: 422,
  },
  CONNECTOR_NO_UNIQUE_KEY: {
    message: 'The target key column has no unique index, so upserts cannot be idempotent',
    retryable: false,
    httpStatus: 400,
  },
  CONNECTOR_QUERY_FAILED: { message: 'The system rejected a query', retryable: false, httpStatus: 502 },
  STATE_STORE_FAILED: { message: 'The state store failed', retryable: true, httpStatus: 503 },
  STATE_STORE_UNSUPPORTED: {
    message: 'This state store URL is not supported',
    retryable: false,
    httpStatus: 400,
  },
  RUNTIME_UNAVAILABLE: {
    message: 'The runtime could not reach Redis to hand out or run a job',
    retryable: true,
    httpStatus: 503,
  },
  RUNTIME_JOB_LOST: {
    message: 'A cycle job vanished from Redis before a worker finished it',
    retryable: true,
    httpStatus: 503,
  },
  VALIDATION_FAILED: {
    message: 'The record broke a mapping or validation rule',
    retryable: false,
    httpStatus: 422,
  },
  FLOW_UNKNOWN: { message: 'No flow of this name is configured', retryable: false, httpStatus: 404 },
  FLOW_BUSY: { message: 'The flow is already running a cycle', retryable: true, httpStatus: 409 },
  RECORD_NOT_FOUND: { message: 'The record does not exist at the source', retryable: false, httpStatus: 404 },
  DEAD_LETTER_NOT_FOUND: { message: 'No dead letter with this id', retryable: false, httpStatus: 404 },
  REFERENCE_MISSING: {
    message: 'A referenced record has no id in the target yet',
    retryable: true,
    httpStatus: 409,
  },
  CONFLICT_NOT_FOUND: { message: 'No open conflict for this record', retryable: false, httpStatus: 404 },
  TOKEN_NOT_FOUND: { message: 'No API token of this name', retryable: false, httpStatus: 404 },
  CONFLICT_UNRESOLVED: {
    message: 'The conflict cannot be merged without choosing a side',
    retryable: false,
    httpStatus: 409,
  },
  FLOW_NOT_TWO_WAY: { message: 'The flow syncs one way only', retryable: false, httpStatus: 400 },
  RECONCILE_UNSUPPORTED: {
    message: 'A connector of the flow cannot compute checksums for reconcile',
    retryable: false,
    httpStatus: 400,
  },
  CYCLE_ABORTED: { message: 'The cycle was stopped before it finished', retryable: true, httpStatus: 503 },
  LEASE_LOST: {
    message: 'Another process took the flow over; this change was refused',
    retryable: false,
    httpStatus: 409,
  },
  REQUEST_INVALID: {
    message: 'The request cannot be carried out as given',
    retryable: false,
    httpStatus: 400,
  },
  RUNTIME_NOT_RUNNING: {
    message: 'No runtime runs flows in this process',
    retryable: false,
    httpStatus: 503,
  },
  UNAUTHENTICATED: {
    message: 'The request carries no valid token',
    retryable: false,
    httpStatus: 401,
  },
  FORBIDDEN: {
    message: "The token's role does not allow this action",
    retryable: false,
    httpStatus: 403,
  },
  REQUEST_TOO_LARGE: { message: 'The request body is too large', retryable: false, httpStatus: 413 },
  ROUTE_NOT_FOUND: { message: 'No such endpoint', retryable: false, httpStatus: 404 },
  INTERNAL: { message: 'An unexpected error occurred', retryable: false, httpStatus: 500 },
} as const satisfies Record<string, { message: string; retryable: boolean; httpStatus: number }>;

export type ErrorCode = keyof typeof ErrorCodes;

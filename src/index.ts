/**
 * Syncline's public API for connector authors and embedders: the connector SDK types, the state
 * store contract, errors and the config loader. The CLI (`syncline`) is the usual way in.
 */
export type {
  Change,
  ChangeBatch,
  Checkpoint,
  ColumnInfo,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ConnectorDefinition,
  DeletePolicy,
  FieldType,
  ProbeResult,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from './core/connector.js';
export { readKeysetChanges, pendingPage, type KeysetPager, type PageRequest } from './core/keyset-reader.js';
export type { StateStore, SyncedRecord, DeadLetter, RunRecord } from './core/state-store.js';
export {
  ConnectorError,
  StateStoreError,
  SyncError,
  toSyncError,
  type SyncErrorJson,
} from './core/errors.js';
export { ErrorCodes, type ErrorCode } from './core/error-codes.js';
export type { Logger } from './core/logger.js';
export { Secret } from './config/secret.js';
export type { ColumnKind, Row, Value } from './core/values.js';
export { ConfigError } from './config/config-error.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { SyncConfig, SyncConfigInput, FlowConfig } from './config/config-schema.js';
export type { Cadence } from './config/cadence-schema.js';

import type { RecordOutcome, TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { valueText, type Value } from '../../core/values.js';
import { refusalOf, type RefusalPaths } from './rest-errors.js';
import { setJsonPath } from './rest-json-path.js';
import type { RestObject } from './rest-objects.js';
import type { RestResponse } from './rest-transport.js';

/** A JSON body value: binary columns travel as base64 text, everything else as it is. */
export function toJsonValue(value: Value): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

/** The record's key at the target, as text: the target key column's value, else the source key. */
export function targetKeyText(record: TargetRecord, target: TargetSpec): string {
  const value = record.values[target.key];
  return value === undefined || value === null ? record.key : valueText(value);
}

/** A record as a JSON object: each column at its JSON path (`properties.amount`), after the fixed members. */
export function recordBody(
  record: TargetRecord,
  object: RestObject,
  fixed: Readonly<Record<string, string>> = {},
  key = '',
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(fixed))
    setJsonPath(body, name, template.replaceAll('{key}', key));
  for (const [column, value] of Object.entries(record.values))
    setJsonPath(body, object.fieldPath(column), toJsonValue(value));
  return body;
}

/** Statuses that say the system refused the record itself (not its own trouble). */
export function isRefusalStatus(status: number): boolean {
  return status === 400 || status === 409 || status === 422;
}

/** The outcome of a record the system refused, with its own message and field. */
export function refusedOutcome(
  record: TargetRecord,
  target: TargetSpec,
  label: string,
  status: number | undefined,
  refusal: { message: string; field?: string },
): RecordOutcome {
  const error = new ConnectorError(
    'CONNECTOR_VALUE_REJECTED',
    `${label} refused record ${JSON.stringify(record.key)}${status === undefined ? '' : ` (HTTP ${status})`}: ${refusal.message}`,
    {
      flow: target.flow,
      key: record.key,
      retryable: false,
      ...(refusal.field === undefined ? {} : { field: refusal.field }),
    },
  );
  return { key: record.key, status: 'refused', error: error.toJSON() };
}

/** The refusal in an error answer. */
export function refusalOfResponse(
  response: RestResponse,
  paths: RefusalPaths,
  secrets: readonly string[],
): { message: string; field?: string } {
  return refusalOf(response.json(), response.text, paths, secrets);
}

/** A write that the connection's object cannot do (no endpoint configured for it): nothing is sent. */
export function unsupportedWrite(
  target: TargetSpec,
  record: TargetRecord,
  connection: string,
  what: string,
): ConnectorError {
  return new ConnectorError(
    'CONFIG_INVALID',
    `Flow "${target.flow}": ${what} (connection "${connection}", object ${target.table}): record ${JSON.stringify(record.key)} has op "${record.op}"; nothing of the batch was sent`,
    { flow: target.flow, key: record.key, retryable: false },
  );
}

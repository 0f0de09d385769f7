import type { RecordOutcome, TargetRecord, TargetSpec } from '../../core/connector.js';
import type { ScalarValue } from '../../core/values.js';
import type { RestClient } from './rest-client.js';
import { fillTemplate, getJsonPath } from './rest-json-path.js';
import type { RestWriteConfig } from './rest-object-config.js';
import type { RestObject } from './rest-objects.js';
import {
  isRefusalStatus,
  recordBody,
  refusalOfResponse,
  refusedOutcome,
  targetKeyText,
  unsupportedWrite,
} from './rest-records.js';

type SingleWrite = Extract<RestWriteConfig, { mode: 'single' }>;

function idOf(body: unknown, path: string | undefined): ScalarValue | undefined {
  if (path === undefined) return undefined;
  const id = getJsonPath(body, path);
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * Writes each record with its own request: `upsert` (201 = created, other 2xx = updated, with the
 * id read from the answer), `update` and `delete` (404 = not found). A 400/409/422 refuses that
 * record alone, with the system's message; any other failure is thrown (the batch is retried whole,
 * and the upserts by key, with their idempotency keys, make the retry safe).
 */
export async function writeSingle(
  client: RestClient,
  object: RestObject,
  write: SingleWrite,
  target: TargetSpec,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<RecordOutcome[]> {
  const connection = client.transport.connection;
  for (const record of records) {
    if (record.op === 'update' && write.update === undefined)
      throw unsupportedWrite(target, record, connection, 'the object has no update endpoint (write.update)');
    if (record.op === 'delete' && write.delete === undefined)
      throw unsupportedWrite(target, record, connection, 'the object has no delete endpoint (write.delete)');
  }
  const outcomes: RecordOutcome[] = [];
  for (const record of records) {
    const endpoint =
      (record.op === 'update' ? write.update : record.op === 'delete' ? write.delete : write.upsert) ??
      write.upsert;
    const key = targetKeyText(record, target);
    const path = fillTemplate(endpoint.path, { key }, encodeURIComponent);
    const body = record.op === 'delete' ? undefined : recordBody(record, object);
    const label = `${endpoint.method} ${path}`;
    const text = JSON.stringify(body ?? key);
    const response = await client.send(
      {
        method: endpoint.method,
        path,
        ...(endpoint.query === undefined ? {} : { query: endpoint.query }),
        ...(body === undefined ? {} : { body }),
        ...(write.idempotencyKey
          ? {
              headers: { 'idempotency-key': client.idempotency.keyFor(target.flow, label, text) },
            }
          : {}),
      },
      signal,
    );
    const status = response.status;
    if ((status >= 200 && status < 300) || status === 404 || isRefusalStatus(status))
      client.idempotency.answered(target.flow, label, text);
    if (status >= 200 && status < 300) {
      const id = idOf(response.json(), write.id);
      if (record.op === 'delete') outcomes.push({ key: record.key, status: 'deleted' });
      else
        outcomes.push({
          key: record.key,
          status: status === 201 && record.op === 'upsert' ? 'created' : 'updated',
          ...(id === undefined ? {} : { id }),
        });
    } else if (status === 404 && record.op !== 'upsert') {
      outcomes.push({ key: record.key, status: 'not-found' });
    } else if (isRefusalStatus(status)) {
      const refusal = refusalOfResponse(response, write.errors ?? {}, client.transport.secrets);
      outcomes.push(
        refusedOutcome(record, target, `${response.label} at connection "${connection}"`, status, refusal),
      );
    } else {
      throw client.transport.statusError(response);
    }
  }
  return outcomes;
}

import type { RecordOutcome, TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { RestClient } from './rest-client.js';
import { getJsonPath, setJsonPath } from './rest-json-path.js';
import type { RestWriteConfig } from './rest-object-config.js';
import type { RestObject } from './rest-objects.js';
import {
  isRefusalStatus,
  recordBody,
  refusalOfResponse,
  refusedOutcome,
  targetKeyText,
  toJsonValue,
} from './rest-records.js';
import type { RestResponse } from './rest-transport.js';

type BatchWrite = Extract<RestWriteConfig, { mode: 'batch' | 'table' }>;

/** One batch request of the object's write config, for records of one op. */
interface BatchRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  body(records: readonly TargetRecord[]): unknown;
}

/** The requests of a batch-writing object: HubSpot-style `batch`, or the original `table` protocol. */
function batchRequest(
  object: RestObject,
  write: BatchWrite,
  target: TargetSpec,
  op: 'upsert' | 'delete',
): BatchRequest | undefined {
  if (write.mode === 'table') {
    return op === 'upsert'
      ? {
          method: 'PUT',
          path: object.path,
          body: (records) => ({
            key: target.key,
            records: records.map((record) =>
              Object.fromEntries(
                Object.entries(record.values).map(([name, value]) => [name, toJsonValue(value)]),
              ),
            ),
          }),
        }
      : {
          method: 'POST',
          path: `${object.path}/delete`,
          body: (records) => ({
            key: target.key,
            keys: records.map((record) => toJsonValue(record.values[target.key] ?? record.key)),
          }),
        };
  }
  const endpoint = op === 'upsert' ? write.upsert : write.delete;
  if (endpoint === undefined) return undefined;
  return {
    method: endpoint.method,
    path: endpoint.path,
    ...(endpoint.query === undefined ? {} : { query: endpoint.query }),
    body: (records) => {
      const body: Record<string, unknown> = {};
      const inputs = records.map((record) => {
        const key = targetKeyText(record, target);
        return op === 'delete'
          ? recordBody({ ...record, values: {} }, object, write.record ?? { id: '{key}' }, key)
          : recordBody(record, object, write.record, key);
      });
      setJsonPath(body, write.records, inputs);
      return body;
    },
  };
}

function texts(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) =>
    typeof item === 'string' || typeof item === 'number' ? [String(item)] : [],
  );
}

/**
 * Sends records as batches of at most `size` and returns an outcome for each. A 2xx answer is read
 * record by record (`results` and `errors`, e.g. HubSpot's 207 multi-status); a 400/409/422 of the
 * whole batch refuses the records its errors name and sends the rest again, or, when it names
 * none, sends each record alone to learn which one the system refuses. Anything else is thrown.
 */
export async function writeBatches(
  client: RestClient,
  object: RestObject,
  write: BatchWrite,
  target: TargetSpec,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<RecordOutcome[]> {
  const size = write.mode === 'batch' ? write.size : Math.max(1, records.length);
  const outcomes: RecordOutcome[] = [];
  for (const op of ['upsert', 'delete'] as const) {
    const ofOp = records.filter((record) => record.op === op);
    if (ofOp.length === 0) continue;
    const request = batchRequest(object, write, target, op);
    if (request === undefined)
      throw new ConnectorError(
        'CONFIG_INVALID',
        `Flow "${target.flow}": object ${object.name} has no delete endpoint (write.delete); nothing of the batch was sent`,
        { flow: target.flow, retryable: false },
      );
    for (let at = 0; at < ofOp.length; at += size)
      outcomes.push(
        ...(await sendBatch(client, write, target, request, op, ofOp.slice(at, at + size), signal)),
      );
  }
  return outcomes;
}

async function sendBatch(
  client: RestClient,
  write: BatchWrite,
  target: TargetSpec,
  request: BatchRequest,
  op: 'upsert' | 'delete',
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<RecordOutcome[]> {
  const body = request.body(records);
  const label = `${request.method} ${request.path}`;
  const text = JSON.stringify(body);
  const response = await client.send(
    {
      method: request.method,
      path: request.path,
      body,
      ...(request.query === undefined ? {} : { query: request.query }),
      ...(write.idempotencyKey
        ? { headers: { 'idempotency-key': client.idempotency.keyFor(target.flow, label, text) } }
        : {}),
    },
    signal,
  );
  if ((response.status >= 200 && response.status < 300) || isRefusalStatus(response.status))
    client.idempotency.answered(target.flow, label, text);
  const where = `${response.label} at connection "${client.transport.connection}"`;
  const isOk = response.status >= 200 && response.status < 300;
  if (!isOk && !isRefusalStatus(response.status)) throw client.transport.statusError(response);
  const named =
    write.mode === 'batch'
      ? namedOutcomes(response, write, target, records, where, client, op)
      : new Map<string, RecordOutcome>();
  const rest = records.filter((record) => !named.has(record.key));
  if (isOk) {
    const hasResults = write.mode === 'batch' && write.results !== undefined && op === 'upsert';
    if (!hasResults) return [...named.values(), ...rest.map((record) => done(record, op))];
    if (rest.length === 0) return [...named.values()];
    if (named.size < records.length && errorCount(response, write) === 0)
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `${where} answered ${response.status} without a result or an error for ${rest.length} of ${records.length} records (first ${JSON.stringify(rest[0]?.key)}); the batch is sent again`,
        { flow: target.flow, retryable: true },
      );
  }
  if (isOk && records.length === 1) {
    // One record, answered with an error that does not name it: that error is its own.
    const first: unknown =
      write.mode === 'batch' && write.errors !== undefined
        ? (getJsonPath(response.json(), write.errors.path) as unknown[])[0]
        : undefined;
    const paths =
      write.mode === 'batch' ? { message: write.errors?.message, field: write.errors?.field } : {};
    const refusal = refusalOfResponse(
      { ...response, json: () => first, text: JSON.stringify(first) },
      paths,
      client.transport.secrets,
    );
    return [refusedOutcome(records[0] as TargetRecord, target, where, response.status, refusal)];
  }
  // Refused as a whole, or errors we could not tie to records: find the records at fault.
  if (rest.length === 1 && records.length === 1 && !isOk) {
    const refusal = refusalOfResponse(
      response,
      write.mode === 'batch' ? { message: write.errors?.message, field: write.errors?.field } : {},
      client.transport.secrets,
    );
    return [refusedOutcome(records[0] as TargetRecord, target, where, response.status, refusal)];
  }
  const outcomes = [...named.values()];
  if (named.size > 0 && rest.length > 0 && !isOk)
    outcomes.push(...(await sendBatch(client, write, target, request, op, rest, signal)));
  else
    for (const record of rest)
      outcomes.push(...(await sendBatch(client, write, target, request, op, [record], signal)));
  return outcomes;
}

function done(record: TargetRecord, op: 'upsert' | 'delete'): RecordOutcome {
  return op === 'delete' ? { key: record.key, status: 'deleted' } : { key: record.key, status: 'updated' };
}

function errorCount(response: RestResponse, write: Extract<RestWriteConfig, { mode: 'batch' }>): number {
  const errors = write.errors === undefined ? undefined : getJsonPath(response.json(), write.errors.path);
  return Array.isArray(errors) ? errors.length : 0;
}

/** The outcomes an answer names by key: its results (created/updated with the new id) and its errors (refused). */
function namedOutcomes(
  response: RestResponse,
  write: Extract<RestWriteConfig, { mode: 'batch' }>,
  target: TargetSpec,
  records: readonly TargetRecord[],
  where: string,
  client: RestClient,
  op: 'upsert' | 'delete',
): Map<string, RecordOutcome> {
  const byKey = new Map(records.map((record) => [targetKeyText(record, target), record]));
  const named = new Map<string, RecordOutcome>();
  const body = response.json();
  const errors = write.errors === undefined ? undefined : getJsonPath(body, write.errors.path);
  if (write.errors !== undefined && Array.isArray(errors)) {
    for (const error of errors as unknown[]) {
      const refusal = refusalOfResponse(
        { ...response, json: () => error, text: JSON.stringify(error) },
        { message: write.errors.message, field: write.errors.field },
        client.transport.secrets,
      );
      for (const key of texts(getJsonPath(error, write.errors.key))) {
        const record = byKey.get(key);
        if (record !== undefined && !named.has(record.key))
          named.set(record.key, refusedOutcome(record, target, where, undefined, refusal));
      }
    }
  }
  // Results say created or updated: they describe upserts only; a delete's 2xx deletes every record it does not refuse.
  const results =
    write.results === undefined || op === 'delete' ? undefined : getJsonPath(body, write.results.path);
  if (write.results !== undefined && Array.isArray(results)) {
    for (const result of results) {
      const record = texts(getJsonPath(result, write.results.key))
        .map((key) => byKey.get(key))
        .find((found) => found !== undefined);
      if (record === undefined || named.has(record.key)) continue;
      const id = write.results.id === undefined ? undefined : getJsonPath(result, write.results.id);
      const isCreated =
        write.results.created !== undefined && getJsonPath(result, write.results.created) === true;
      named.set(record.key, {
        key: record.key,
        status: isCreated ? 'created' : 'updated',
        ...(typeof id === 'string' || typeof id === 'number' ? { id: id } : {}),
      });
    }
  }
  return named;
}

import type {
  Change,
  ChangeBatch,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { isPlainIdentifier } from '../../config/identifiers.js';
import type { Secret } from '../../config/secret.js';
import type { Value } from '../../core/values.js';
import type { RestConfig } from './rest-config.js';
import { toRestNetworkError, toRestStatusError, type RestErrorContext } from './rest-errors.js';

/** What one request sends. */
interface RestRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** Path below the base URL, already encoded; '' for the base URL itself. */
  readonly path: string;
  readonly body?: unknown;
}

/** A JSON body value: binary columns travel as base64 text, everything else as it is. */
function toJsonValue(value: Value): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

/** The URL path of a target table (`sales.accounts` → `sales.accounts`), refusing anything not a plain name. */
export function tablePath(table: string, flow?: string): string {
  if (!isPlainIdentifier(table, { qualified: true })) {
    throw new ConnectorError(
      'CONFIG_INVALID',
      `${flow === undefined ? '' : `Flow "${flow}": `}${JSON.stringify(table)} is not a plain table name (a letter or _, then letters, digits, _ and $, optionally schema.table); nothing was sent to the API`,
      flow === undefined ? {} : { flow },
    );
  }
  return encodeURIComponent(table);
}

/** The JSON bodies of a batch: upserts for `PUT {url}/{table}`, deleted keys for `POST {url}/{table}/delete`. */
export function restBatchBodies(
  target: TargetSpec,
  records: readonly TargetRecord[],
): {
  upsert?: { key: string; records: Record<string, unknown>[] };
  delete?: { key: string; keys: unknown[] };
} {
  const upserts = records.filter((record) => record.op === 'upsert');
  const deletes = records.filter((record) => record.op === 'delete');
  return {
    ...(upserts.length === 0
      ? {}
      : {
          upsert: {
            key: target.key,
            records: upserts.map((record) =>
              Object.fromEntries(
                Object.entries(record.values).map(([name, value]) => [name, toJsonValue(value)]),
              ),
            ),
          },
        }),
    ...(deletes.length === 0
      ? {}
      : {
          delete: {
            key: target.key,
            keys: deletes.map((record) => toJsonValue(record.values[target.key] ?? record.key)),
          },
        }),
  };
}

/**
 * A generic REST API as a flow's target: each batch is one `PUT {url}/{table}` of upserts and one
 * `POST {url}/{table}/delete` of deleted keys. HTTP statuses map to Syncline's error codes, so a
 * 429 with Retry-After is throttling the adaptive cadence honours. It cannot be a source.
 */
export class RestConnector implements Connector {
  readonly capabilities: ConnectorCapabilities = {
    source: false,
    target: true,
    transactions: false,
    describe: false,
  };
  readonly #name: string;
  readonly #url: Secret;
  readonly #headers: Readonly<Record<string, Secret>>;
  readonly #timeoutMs: number;

  constructor(config: RestConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#url = config.url;
    this.#headers = config.headers ?? {};
    this.#timeoutMs = config.timeoutMs;
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    try {
      await this.#send({ method: 'GET', path: '' }, signal, false);
      return { ok: true, server: 'REST API', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  describeTable(_table: string, _signal: AbortSignal): Promise<TableSchema | undefined> {
    return Promise.resolve(undefined);
  }

  /** A REST target is never read: iterating fails at once. */
  readChanges(): AsyncIterable<ChangeBatch> {
    const error = this.#notASource('readChanges');
    return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
  }

  readByKeys(): Promise<Change[]> {
    return Promise.reject(this.#notASource('readByKeys'));
  }

  countPending(): Promise<number> {
    return Promise.reject(this.#notASource('countPending'));
  }

  async writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    const path = tablePath(target.table, target.flow);
    const update = records.find((record) => record.op === 'update');
    if (update !== undefined) throw this.#noUpdates(target, update);
    const bodies = restBatchBodies(target, records);
    let written = 0;
    if (bodies.upsert !== undefined) {
      await this.#send({ method: 'PUT', path: `/${path}`, body: bodies.upsert }, signal, true);
      written += bodies.upsert.records.length;
    }
    if (bodies.delete !== undefined) {
      await this.#send({ method: 'POST', path: `/${path}/delete`, body: bodies.delete }, signal, true);
      written += bodies.delete.keys.length;
    }
    return { written };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Updates (set some columns, never insert) have no request of the REST target: refuse, sending nothing. */
  #noUpdates(target: TargetSpec, record: TargetRecord): ConnectorError {
    return new ConnectorError(
      'CONFIG_INVALID',
      `Flow "${target.flow}": updates are not supported by the REST target (connection "${this.#name}"): record ${JSON.stringify(record.key)} has op "update", and the REST target only upserts and deletes; nothing of the batch was sent`,
      { flow: target.flow, key: record.key, retryable: false },
    );
  }

  #notASource(method: string): ConnectorError {
    return new ConnectorError(
      'CONNECTOR_QUERY_FAILED',
      `connection "${this.#name}" is a REST target and cannot be a flow's source (${method} is not supported)`,
      { retryable: false },
    );
  }

  /** Sends one request; with `requireSuccess`, a non-2xx answer throws its mapped ConnectorError. */
  async #send(request: RestRequest, signal: AbortSignal, requireSuccess: boolean): Promise<void> {
    const base = this.#url.reveal().replace(/\/+$/, '');
    const headerValues = Object.values(this.#headers).map((value) => value.reveal());
    const context: RestErrorContext = {
      connection: this.#name,
      request: `${request.method} ${request.path === '' ? '/' : request.path}`,
      secrets: [base, ...headerValues],
    };
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(this.#headers)) headers[name] = value.reveal();
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      throw toRestNetworkError(error, context, timeout.aborted && !signal.aborted, this.#timeoutMs);
    }
    const body = await response.text().catch(() => '');
    if (requireSuccess && !response.ok)
      throw toRestStatusError(response.status, body, response.headers.get('retry-after'), context);
  }
}

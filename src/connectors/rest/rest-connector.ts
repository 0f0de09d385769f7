import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { writeBatches } from './rest-batch-writer.js';
import { RestClient } from './rest-client.js';
import type { RestConfig } from './rest-config.js';
import { readRestByKeys } from './rest-lookup.js';
import { fieldNameProblem, objectNameProblem, resolveObject, type RestObject } from './rest-objects.js';
import { countRestPending, readRestChanges } from './rest-reader.js';
import { writeSingle } from './rest-single-writer.js';

function columns(role: string, names: readonly string[]): (readonly [string, string])[] {
  return names.map((name) => [role, name] as const);
}

/**
 * A generic REST/JSON API as a flow's source and target. Reads list an object's endpoint page by
 * page (page numbers, offsets, a body token or the `Link` header) from a modified-since filter;
 * writes send one request per record or per batch and report each record's outcome. One
 * instance serves every flow of its connection, so its rate limit and OAuth2 token are shared.
 */
export class RestConnector implements Connector {
  readonly capabilities: ConnectorCapabilities;
  readonly #name: string;
  readonly #config: RestConfig;
  readonly #client: RestClient;

  constructor(config: RestConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#config = config;
    this.#client = new RestClient(config, context.name);
    const objects = Object.values(config.objects ?? {});
    this.capabilities = {
      source: true,
      target: true,
      transactions: false,
      describe: false,
      recordOutcomes: true,
      cursor: 'optional',
      updates: objects.some((object) => object.write?.mode === 'single' && object.write.update !== undefined),
    };
  }

  checkObjectName(name: string): string | undefined {
    return objectNameProblem(name, this.#config.objects);
  }

  checkFieldName(name: string): string | undefined {
    return fieldNameProblem(name, this.#config.objects);
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    try {
      const response = await this.#client.send({ method: 'GET', path: '' }, signal);
      if (response.status === 401 || response.status === 403)
        return { ok: false, message: this.#client.transport.statusError(response).message };
      return { ok: true, server: 'REST API', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** An API publishes no schema Syncline reads: nothing to describe, so schema checks are skipped. */
  describeTable(_table: string, _signal: AbortSignal): Promise<TableSchema | undefined> {
    return Promise.resolve(undefined);
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    // A bad spec fails the iteration, as any read error does, not the call.
    const read = async function* (this: RestConnector): AsyncGenerator<ChangeBatch> {
      yield* readRestChanges(this.#client, this.#source(source), source, since, signal);
    };
    return read.call(this);
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return await readRestByKeys(this.#client, this.#source(source), source, keys, signal);
  }

  async countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    return await countRestPending(this.#client, this.#source(source), source, since, limit, signal);
  }

  async writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    const object = this.#object(target.table, target.flow);
    this.#checkFields(target.flow, [
      ['target.key', target.key],
      ...columns('target.columns', target.columns),
    ]);
    const write = object.write;
    if (write.mode !== 'single') {
      const update = records.find((record) => record.op === 'update');
      if (update !== undefined)
        throw new ConnectorError(
          'CONFIG_INVALID',
          `Flow "${target.flow}": updates are not supported by the REST target's ${write.mode} writes (connection "${this.#name}"): record ${JSON.stringify(update.key)} has op "update"; give the object a single-record update endpoint (write.mode: single, write.update); nothing of the batch was sent`,
          { flow: target.flow, key: update.key, retryable: false },
        );
    }
    const outcomes =
      write.mode === 'single'
        ? await writeSingle(this.#client, object, write, target, records, signal)
        : await writeBatches(this.#client, object, write, target, records, signal);
    const written = outcomes.filter(
      (outcome) => outcome.status !== 'refused' && outcome.status !== 'not-found',
    ).length;
    const notFound = outcomes
      .filter((outcome) => outcome.status === 'not-found')
      .map((outcome) => outcome.key);
    return { written, outcomes, ...(notFound.length === 0 ? {} : { notFound }) };
  }

  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }

  /** The object a source reads, its field names checked first. */
  #source(source: SourceSpec): RestObject {
    const object = this.#object(source.table, source.flow);
    this.#checkFields(source.flow, [
      ['source.key', source.key],
      ...(source.cursor === undefined ? [] : [['source.cursor', source.cursor] as const]),
      ...(source.deleted === undefined ? [] : [['source.deleted', source.deleted] as const]),
      ...columns('source.columns', source.columns),
    ]);
    return object;
  }

  /**
   * Refuses a spec naming a field the connection's rules refuse (`checkFieldName`): an empty name
   * is no field (it would read the whole record, or none as the cursor), before any request.
   */
  #checkFields(flow: string, fields: readonly (readonly [string, string])[]): void {
    for (const [role, name] of fields) {
      const problem = fieldNameProblem(name, this.#config.objects);
      if (problem !== undefined)
        throw new ConnectorError(
          'CONFIG_INVALID',
          `Flow "${flow}": connection "${this.#name}": ${role} ${JSON.stringify(name)}: ${problem}; nothing was sent to the API`,
          { flow, retryable: false },
        );
    }
  }

  #object(name: string, flow: string): RestObject {
    const object = resolveObject(name, this.#config.objects);
    if (typeof object === 'string')
      throw new ConnectorError(
        'CONFIG_INVALID',
        `Flow "${flow}": connection "${this.#name}": ${object}; nothing was sent to the API`,
        {
          flow,
          retryable: false,
        },
      );
    return object;
  }
}

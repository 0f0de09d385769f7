import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  RecordOutcome,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../core/connector.js';
import type { TrytonConfig } from './tryton-config.js';
import { checkModelName, checkTrytonFieldName, describeModel, TrytonModels } from './tryton-models.js';
import { PARTY_MODEL, partyVirtualFields } from './tryton-party.js';
import { TrytonReader } from './tryton-reader.js';
import { TrytonRpcClient } from './tryton-rpc.js';
import { valueAsText } from './tryton-values.js';
import { writeTrytonBatch } from './tryton-writer.js';

/**
 * A Tryton ERP over JSON-RPC, as a flow's source (any model, by `write_date`/`create_date`, or
 * every record each cycle without a cursor) and target (per-record outcomes, records with lines,
 * workflow states through buttons, party contact and address fields). See docs/tryton.md.
 */
export class TrytonConnector implements Connector {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: true,
    transactions: false,
    describe: true,
    recordOutcomes: true,
    lines: true,
    cursor: 'optional',
  };

  readonly #config: TrytonConfig;
  readonly #client: TrytonRpcClient;
  readonly #models: TrytonModels;
  readonly #reader: TrytonReader;

  constructor(config: TrytonConfig, context: ConnectorContext) {
    this.#config = config;
    this.#client = new TrytonRpcClient(config, context.name, context.logger);
    this.#models = new TrytonModels(this.#client);
    this.#reader = new TrytonReader(this.#client, this.#models);
  }

  checkObjectName(name: string): string | undefined {
    return checkModelName(name);
  }

  checkFieldName(name: string): string | undefined {
    return checkTrytonFieldName(name);
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    try {
      const version = await this.#client.server('common.server.version', [], signal);
      const latencyMs = Math.round(performance.now() - started);
      // A login proves the database and the credentials, not only the server.
      await this.#client.call('model.res.user.get_preferences', [true], signal);
      return { ok: true, server: `Tryton ${valueAsText(version)}`, latencyMs };
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const model = await this.#models.find(table, signal);
    if (model === undefined) return undefined;
    const required = [...model.fields.values()].filter((field) => field.required && !field.readonly);
    const defaults = await this.#client.call(
      `model.${table}.default_get`,
      [required.map((field) => field.name)],
      signal,
    );
    const filled = new Set(typeof defaults === 'object' && defaults !== null ? Object.keys(defaults) : []);
    return describeModel(model, table === PARTY_MODEL ? partyVirtualFields() : [], filled);
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    return this.#reader.readChanges(source, since, signal);
  }

  readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return this.#reader.readByKeys(source, keys, signal);
  }

  countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    return this.#reader.countPending(source, since, limit, signal);
  }

  /** Writes in calls of `batch` records, one batch at a time per connection (SQLite breaks under concurrent writers). */
  writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    return this.#client.exclusive(async () => {
      const outcomes: RecordOutcome[] = [];
      let written = 0;
      for (let start = 0; start < records.length; start += this.#config.batch) {
        const chunk = records.slice(start, start + this.#config.batch);
        const result = await writeTrytonBatch(this.#client, this.#models, target, chunk, signal);
        written += result.written;
        outcomes.push(...(result.outcomes ?? []));
      }
      return { written, outcomes };
    });
  }

  /**
   * Ends the session on the server (`common.db.logout`). Writes after it log in again; `close`
   * calls it.
   */
  logout(signal: AbortSignal = AbortSignal.timeout(5_000)): Promise<void> {
    return this.#client.logout(signal);
  }

  async close(): Promise<void> {
    await this.logout();
  }
}

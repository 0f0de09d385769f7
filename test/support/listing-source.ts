import Database from 'better-sqlite3';
import type {
  Change,
  ChangeBatch,
  Connector,
  ConnectorCapabilities,
  ProbeResult,
  SourceSpec,
  WriteResult,
} from '../../src/core/connector.js';
import { SyncError } from '../../src/core/errors.js';
import { valueText, type Row } from '../../src/core/values.js';

/**
 * A source that can only list everything, as many business APIs can (no modified-since filter):
 * `capabilities.cursor: false`, over a real SQLite table. Each `readChanges` lists every row in key
 * order, in batches of `batchSize`, whatever the checkpoint; `listed` counts the rows handed out.
 */
export class ListingSource implements Connector {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: false,
    transactions: false,
    describe: false,
    cursor: false,
  };
  listed = 0;
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path);
  }

  get db(): Database.Database {
    return this.#db;
  }

  probe(): Promise<ProbeResult> {
    return Promise.resolve({ ok: true });
  }

  describeTable(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  async *readChanges(source: SourceSpec): AsyncIterable<ChangeBatch> {
    const rows = this.#db.prepare(`SELECT * FROM ${source.table} ORDER BY ${source.key}`).all() as Row[];
    for (let start = 0; start < rows.length; start += source.batchSize) {
      const changes = rows
        .slice(start, start + source.batchSize)
        .map((row): Change => ({ key: valueText(row[source.key]), op: 'upsert', row }));
      this.listed += changes.length;
      yield await Promise.resolve({ changes, checkpoint: { listed: 'all' } });
    }
  }

  readByKeys(source: SourceSpec, keys: readonly string[]): Promise<Change[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM ${source.table} WHERE ${source.key} IN (${keys.map(() => '?').join(', ')})`)
      .all(...keys) as Row[];
    return Promise.resolve(rows.map((row) => ({ key: valueText(row[source.key]), op: 'upsert', row })));
  }

  countPending(source: SourceSpec): Promise<number> {
    return Promise.resolve(Number(this.#db.prepare(`SELECT count(*) FROM ${source.table}`).pluck().get()));
  }

  writeBatch(): Promise<WriteResult> {
    return Promise.reject(new SyncError('CONFIG_INVALID', 'this test source is not a target'));
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

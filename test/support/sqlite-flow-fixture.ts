import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FlowConfig } from '../../src/config/config-schema.js';
import { sqliteConnector } from '../../src/connectors/sqlite/index.js';
import type { CyclePorts } from '../../src/core/cycle-ports.js';
import type { Flow } from '../../src/core/flow.js';
import type { StateStore } from '../../src/core/state-store.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { FaultyConnector } from './faulty-connector.js';

/** A row of the source table `accounts`; `version` is the flow's cursor. */
export interface AccountRow {
  readonly id: number;
  readonly name: string | null;
  readonly status: string | null;
  readonly qty: number;
  readonly version: number;
}

/** A row of the target table `customers`. */
export interface CustomerRow {
  readonly crm_id: number;
  readonly name: string;
  readonly status: string | null;
  readonly qty: number | null;
}

/** The status dictionary of the flow unless a test changes it. */
export const STATUS_MAP: Readonly<Record<string, string>> = { active: 'A', inactive: 'I' };

const ACCOUNTS_DDL = `CREATE TABLE accounts (
  id INTEGER PRIMARY KEY, name TEXT, status TEXT, qty INTEGER NOT NULL, version INTEGER NOT NULL)`;
// NOT NULL and CHECK make the target refuse single records, as a real ERP table would.
const CUSTOMERS_DDL = `CREATE TABLE customers (
  crm_id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT, qty INTEGER CHECK (qty >= 0))`;

/** The flow `customers`: accounts (crm.db) → customers (erp.db), cursor `version`, tiny retry delays. */
export function customersFlowConfig(
  options: { batch?: number; lookback?: number; statusMap?: Readonly<Record<string, string>> } = {},
): FlowConfig {
  return {
    source: {
      connection: 'crm',
      table: 'accounts',
      key: 'id',
      cursor: 'version',
      lookback: { ms: options.lookback ?? 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'customers', key: 'crm_id' },
    batch: options.batch ?? 3,
    fields: {
      name: 'name',
      status: { from: 'status', map: { ...(options.statusMap ?? STATUS_MAP) }, default: 'I' },
      qty: 'qty',
    },
    retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
  };
}

/** `count` plain accounts with ids and versions 1…count. */
export function plainAccounts(count: number): AccountRow[] {
  return Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    name: `Customer ${index + 1}`,
    status: index % 3 === 0 ? 'inactive' : 'active',
    qty: index * 10,
    version: index + 1,
  }));
}

/** Where a fixture keeps its state when not in its SQLite file: stores opened on shared storage. */
export interface StateStorage {
  open(): StateStore;
  /** Removes the storage once every store on it is closed. */
  drop(): Promise<void>;
}

/**
 * The embedded stack of one test: source and target SQLite files, each behind a real SQLite
 * connector wrapped in a FaultyConnector, and an SQLite state store, all in a temp directory.
 */
export class SqliteFlowFixture {
  readonly dir: string;
  readonly statePath: string;
  readonly source: FaultyConnector;
  readonly target: FaultyConnector;
  readonly state: StateStore;
  readonly #crm: Database.Database;
  readonly #erp: Database.Database;
  readonly #storage: StateStorage | undefined;

  private constructor(dir: string, storage?: StateStorage) {
    this.#storage = storage;
    this.dir = dir;
    this.statePath = join(dir, 'state.db');
    this.#crm = openWithTable(join(dir, 'crm.db'), ACCOUNTS_DDL);
    this.#erp = openWithTable(join(dir, 'erp.db'), CUSTOMERS_DDL);
    const connector = (name: string, path: string): FaultyConnector =>
      new FaultyConnector(sqliteConnector.create({ type: 'sqlite', path }, { name, logger: silentLogger }));
    this.source = connector('crm', join(dir, 'crm.db'));
    this.target = connector('erp', join(dir, 'erp.db'));
    this.state = this.openState();
  }

  /**
   * A fixture whose state store is the SQLite file `statePath`, or lives in `storage` (a PostgreSQL
   * schema) when given.
   */
  static async create(storage?: StateStorage): Promise<SqliteFlowFixture> {
    const fixture = new SqliteFlowFixture(mkdtempSync(join(tmpdir(), 'syncline-cycle-')), storage);
    await fixture.state.init();
    return fixture;
  }

  /** Another state store on the fixture's state storage (another process's view), not initialised. */
  openState(): StateStore {
    return this.#storage?.open() ?? new SqliteStateStore(this.statePath);
  }

  /** What a cycle needs, with a different state store when given (another process's view). */
  ports(state = this.state): CyclePorts {
    return { source: this.source, target: this.target, state, logger: silentLogger };
  }

  /** What the operations layer works with, over these flows and this fixture's systems. */
  operations(flows: readonly Flow[]): OperationsContext {
    return {
      flows,
      state: this.state,
      logger: silentLogger,
      portsFor: () => this.ports(),
      connector: (name) => (name === 'crm' ? this.source : this.target),
    };
  }

  insertAccounts(rows: readonly AccountRow[]): void {
    const insert = this.#crm.prepare(
      'INSERT INTO accounts (id, name, status, qty, version) VALUES (@id, @name, @status, @qty, @version)',
    );
    this.#crm.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
  }

  /** Changes one account; `version` stays unless given, so no cycle would see the change. */
  updateAccount(id: number, changes: Partial<Omit<AccountRow, 'id'>>): void {
    const names = Object.keys(changes);
    this.#crm
      .prepare(`UPDATE accounts SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id`)
      .run({ ...changes, id });
  }

  /** How many accounts have a version of at least `version`. */
  countAccountsFrom(version: number): number {
    return Number(this.#crm.prepare('SELECT count(*) FROM accounts WHERE version >= ?').pluck().get(version));
  }

  /** Runs SQL on the target file through a connection of its own (drop a table, hold a lock). */
  executeOnTarget(sql: string): void {
    this.#erp.exec(sql);
  }

  /** The target table, ordered by key. */
  customers(): CustomerRow[] {
    return this.#erp
      .prepare('SELECT crm_id, name, status, qty FROM customers ORDER BY crm_id')
      .all() as CustomerRow[];
  }

  /** The target table the source implies, mapped with `statusMap`. */
  expectedCustomers(statusMap = STATUS_MAP): CustomerRow[] {
    const accounts = this.#crm.prepare('SELECT * FROM accounts ORDER BY id').all() as AccountRow[];
    return accounts.map((account) => ({
      crm_id: account.id,
      name: account.name ?? '',
      status: account.status === null ? 'I' : (statusMap[account.status] ?? 'I'),
      qty: account.qty,
    }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.source.close(), this.target.close(), this.state.close()]);
    this.#crm.close();
    this.#erp.close();
    rmSync(this.dir, { recursive: true, force: true });
    await this.#storage?.drop();
  }
}

function openWithTable(path: string, ddl: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  return db;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { silentLogger } from '../../src/core/logger.js';
import type { RestApiServer } from './rest-api-server.js';
import { TEST_API_OBJECTS } from './rest-api-fixture.js';

/**
 * A workspace for flows between the test REST API (connection `api`, OAuth2 client credentials)
 * and a SQLite database file (connection `db`): the config file, the database, the engine.
 */
export class RestFlowWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'syncline-rest-flow-'));
  readonly dbPath = join(this.dir, 'db.sqlite');
  readonly configPath = join(this.dir, 'syncline.yaml');
  readonly db: Database.Database;
  #engine: Engine | undefined;

  constructor(schema: string) {
    this.db = new Database(this.dbPath);
    this.db.exec(schema);
  }

  /** Writes `syncline.yaml` with the two connections and the given `flows:` block (YAML, indented by 2). */
  writeConfig(api: RestApiServer, flows: string, connection: Record<string, unknown> = {}): void {
    const rest = {
      type: 'rest',
      url: api.url,
      auth: {
        type: 'oauth2',
        tokenUrl: `${api.url}/oauth/token`,
        clientId: api.clientId,
        clientSecret: api.clientSecret,
      },
      timeout: '5s',
      objects: TEST_API_OBJECTS,
      ...connection,
    };
    // YAML is a superset of JSON: the connection entry is written as JSON.
    writeFileSync(
      this.configPath,
      `state: sqlite:${join(this.dir, 'state.db')}\nconnections:\n  api: ${JSON.stringify(rest)}\n  db: { type: sqlite, path: "${this.dbPath}" }\nflows:\n${flows}`,
    );
  }

  async engine(): Promise<Engine> {
    this.#engine ??= await openEngine(this.configPath, () => silentLogger);
    return this.#engine;
  }

  /** One cycle of a flow, in process, through the engine's connectors. */
  async cycle(flowName: string): Promise<CycleResult> {
    const engine = await this.engine();
    const flow = engine.flow(flowName);
    return runCycle(flow, engine.context.portsFor(flow), {
      trigger: 'manual',
      signal: new AbortController().signal,
    });
  }

  rows<T>(sql: string): T[] {
    return this.db.prepare(sql).all() as T[];
  }

  async close(): Promise<void> {
    await this.#engine?.close();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

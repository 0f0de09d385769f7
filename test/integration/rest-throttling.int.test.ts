import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { checkSchemas } from '../../src/cli/schema-report.js';
import { silentLogger } from '../../src/core/logger.js';
import { DECISION_LOG_META } from '../../src/cadence/adaptive-cadence.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { createPostgresDatabase, type TestDatabase, postgresTestPool } from '../support/databases.js';

// An HTTP target answering 429 with Retry-After: the controller backs off within a few cycles,
// nothing is lost, and it recovers after the API answers 200 again — asserted on the recorded
// decisions, never on wall-clock time.

interface RecordedDecision {
  readonly intervalMsBefore: number;
  readonly intervalMs: number;
  readonly reason: string;
  readonly health: string;
}

type StoredRecord = Record<string, unknown>;

/** A tiny REST API: `PUT /{table}` upserts by the named key, `POST /{table}/delete` deletes keys. */
class FakeApi {
  readonly tables = new Map<string, Map<string, StoredRecord>>();
  isThrottling = false;
  throttled = 0;
  readonly #server: Server;

  constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => {
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  table(name: string): Map<string, StoredRecord> {
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const [, name, action] = (request.url ?? '/').split('/');
    if (request.method === 'GET') return void response.writeHead(200).end('{}');
    if (this.isThrottling) {
      this.throttled += 1;
      return void response.writeHead(429, { 'retry-after': '1' }).end('{"error":"too many requests"}');
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      key: string;
      records?: StoredRecord[];
      keys?: unknown[];
    };
    const table = this.table(name ?? '');
    if (request.method === 'PUT' && action === undefined) {
      for (const record of body.records ?? []) table.set(String(record[body.key]), record);
    } else if (request.method === 'POST' && action === 'delete') {
      for (const key of body.keys ?? []) table.delete(String(key));
    } else {
      return void response.writeHead(404).end('no such route');
    }
    response.writeHead(204).end();
  }
}

let crm: TestDatabase;
let source: pg.Pool;
let api: FakeApi;
let dir: string;
let engine: Engine;

const ROWS = 50;

async function decisions(): Promise<RecordedDecision[]> {
  const log = await engine.state.getFlowMeta('customers', DECISION_LOG_META);
  return (Array.isArray(log) ? log : []) as unknown as RecordedDecision[];
}

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; decisions: ${JSON.stringify(await decisions())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function storedNames(): string[] {
  return [...api.table('customers').values()].map((record) => String(record.name));
}

beforeAll(async () => {
  crm = await createPostgresDatabase('rest_crm');
  source = postgresTestPool({ connectionString: crm.url, max: 2 });
  await source.query(
    `CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, credit numeric(18,2) NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  await source.query(
    `INSERT INTO accounts (id, name, credit) SELECT g, 'v1-' || g, g * 1.5 FROM generate_series(1, ${ROWS}) g`,
  );
  api = new FakeApi();
  const url = await api.listen();
  dir = mkdtempSync(join(tmpdir(), 'syncline-rest-'));
  writeFileSync(
    join(dir, 'syncline.yaml'),
    `state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: postgres, url: "${crm.url}" }
  erp: { type: rest, url: "${url}", headers: { authorization: "Bearer test-token" }, timeout: 5s }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, credit: credit }
    retry: { attempts: 1 }
    cadence: { every: 500ms, adaptive: { min: 500ms, max: 8s } }
`,
  );
  engine = await openEngine(join(dir, 'syncline.yaml'), () => silentLogger);
});

afterAll(async () => {
  await engine.close();
  await source.end();
  await api.close();
  await crm.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('adaptive cadence against an HTTP target that throttles', () => {
  it('passes the schema check although the REST target cannot describe its tables', async () => {
    const findings = await checkSchemas(engine, engine.flows, new AbortController().signal);
    expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  it('backs off on 429 with Retry-After, loses nothing, and recovers after the API answers 200 again', async () => {
    const runtime = new LocalRuntime(engine.context, {
      // Production steps are minutes; the same controller with short steps keeps the test short.
      adaptiveTuning: { minStepMs: 0, recoveryDwellMs: { high: 1_000, normal: 1_000, low: 1_000 } },
      healthWindowMs: 3_000,
    });
    const running = runtime.start();
    try {
      await waitFor('the first sync', () => storedNames().length === ROWS);
      expect(api.table('customers').get('7')).toEqual({ crm_id: 7, name: 'v1-7', credit: '10.50' });

      api.isThrottling = true;
      await source.query("UPDATE accounts SET name = 'v2-' || id, updated_at = clock_timestamp()");
      await waitFor('a back-off decision', async () =>
        (await decisions()).some((decision) => decision.intervalMs > decision.intervalMsBefore),
      );
      const backOff = (await decisions()).find((decision) => decision.intervalMs > decision.intervalMsBefore);
      expect(backOff?.health).toBe('unhealthy');
      expect(backOff?.reason).toMatch(
        /^customers: every 500ms → \S+.*: erp throttled \d+ writes? \(Retry-After 1 s\)/,
      );
      expect(api.throttled).toBeGreaterThan(0);
      expect(storedNames()).toContain('v1-1');

      api.isThrottling = false;
      await waitFor('the updates to arrive', () => storedNames().every((name) => name.startsWith('v2-')));
      await waitFor('a recovery decision', async () => {
        const all = await decisions();
        const backOffAt = all.findIndex((decision) => decision.intervalMs > decision.intervalMsBefore);
        return all.slice(backOffAt + 1).some((decision) => decision.intervalMs < decision.intervalMsBefore);
      });
      expect(storedNames().length).toBe(ROWS);
      expect(api.table('customers').get('7')).toEqual({ crm_id: 7, name: 'v2-7', credit: '10.50' });
    } finally {
      await runtime.stop();
      await running;
    }
  });
});

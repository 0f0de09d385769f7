import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The start script of the test ERP (`/work/shared/tryton/start.sh`), or `$TRYTON_START`. */
export const TRYTON_START = process.env.TRYTON_START ?? '/work/shared/tryton/start.sh';
/** Where the shared instance keeps its freshly set-up database snapshot. */
const SHARED_DIR = process.env.TRYTON_DIR ?? '/tmp/tryton';
const DB = 'erp';

/** A Tryton server of one test file: its own SQLite copy of the freshly set-up database, its own port. */
export interface TestTryton {
  /** The database's JSON-RPC URL, `http://127.0.0.1:<port>/erp/`. */
  readonly url: string;
  /** The SQLite file the server runs on (tests may end sessions in it directly). */
  readonly sqlitePath: string;
  /** An admin JSON-RPC client, independent of the connector, to arrange and check data. */
  readonly admin: TrytonAdmin;
  stop(): Promise<void>;
}

/** The freshly set-up database: made by the start script in its default directory when missing. */
async function pristineDatabase(): Promise<string> {
  const pristine = join(SHARED_DIR, `${DB}.sqlite.pristine`);
  if (!existsSync(pristine)) await run(TRYTON_START, [], { env: { ...process.env, TRYTON_DIR: SHARED_DIR } });
  return pristine;
}

/**
 * Starts a Tryton server for one test file: a copy of the freshly set-up SQLite database in a new
 * `TRYTON_DIR` (with the `.ready` marker, so nothing is created again) on a free port, so test
 * files run in parallel without sharing a SQLite writer. `stop()` stops it and removes the copy.
 */
export async function startTestTryton(): Promise<TestTryton> {
  const dir = mkdtempSync(join(tmpdir(), 'syncline-tryton-'));
  const sqlitePath = join(dir, `${DB}.sqlite`);
  const pristine = await pristineDatabase();
  copyFileSync(pristine, sqlitePath);
  copyFileSync(pristine, join(dir, `${DB}.sqlite.pristine`));
  writeFileSync(join(dir, `${DB}.ready`), '');
  const env = { ...process.env, TRYTON_DIR: dir, TRYTON_PORT: String(await freePort()), TRYTON_DB: DB };
  const { stdout } = await run(TRYTON_START, [], { env });
  const url = stdout.trim();
  return {
    url,
    sqlitePath,
    admin: new TrytonAdmin(url, 'admin', 'admin'),
    stop: async () => {
      await run(TRYTON_START, ['stop'], { env });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A minimal Tryton JSON-RPC client for tests (the README's protocol), with `{company: 1, employee: 1}` as context. */
export class TrytonAdmin {
  #auth: Promise<string> | undefined;

  constructor(
    readonly url: string,
    private readonly login: string,
    private readonly password: string,
  ) {}

  async #post(method: string, params: Json[], auth?: string): Promise<Json> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(auth === undefined ? {} : { Authorization: auth }) },
      body: JSON.stringify({ id: 1, method, params }),
    });
    if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status}`);
    const body = (await response.json()) as { result?: Json; error?: Json };
    if (body.error !== undefined && body.error !== null)
      throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result ?? null;
  }

  /** Calls `method` with `params` and the admin context (plus `context`); logs in again once on HTTP 401. */
  async call(method: string, params: Json[], context: Record<string, Json> = {}): Promise<Json> {
    const args = [...params, { company: 1, employee: 1, ...context }];
    try {
      return await this.#post(method, args, await this.#session());
    } catch (error) {
      if (!(error instanceof Error && error.message.endsWith('HTTP 401'))) throw error;
      this.#auth = undefined;
      return this.#post(method, args, await this.#session());
    }
  }

  #session(): Promise<string> {
    this.#auth ??= this.#post('common.db.login', [this.login, { password: this.password }, 'en']).then(
      (result) => {
        const [uid, session] = result as [number, string];
        return `Session ${Buffer.from(`${this.login}:${uid}:${session}`).toString('base64')}`;
      },
    );
    return this.#auth;
  }

  /** `search_read` of a model, inactive records included, in id order. */
  async searchRead(
    model: string,
    domain: Json[],
    fields: string[],
    context: Record<string, Json> = {},
  ): Promise<Record<string, Json>[]> {
    const rows = await this.call(`model.${model}.search_read`, [domain, 0, null, [['id', 'ASC']], fields], {
      active_test: false,
      ...context,
    });
    return rows as Record<string, Json>[];
  }
}

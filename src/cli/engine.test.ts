import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createConsoleLogger } from './console-logger.js';
import { loadEngineConfig, openEngine } from './engine.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-engine-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(connections: string): string {
  const path = join(dir, 'syncline.yaml');
  writeFileSync(
    path,
    `
state: sqlite:${join(dir, 'state.db')}
connections:
${connections}
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
`,
  );
  return path;
}

describe('loadEngineConfig', () => {
  it('reports a bad duration in a connection with the path of its key', () => {
    const path = writeConfig(`
  crm: { type: postgres, url: "postgres://u:pw@localhost/crm", statementTimeout: soon }
  erp: { type: rest, url: "https://erp.test/api" }`);
    const thrown = (() => {
      try {
        loadEngineConfig(path);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.path)).toEqual([
      'connections.crm.statementTimeout',
    ]);
  });

  it("collects the secrets from the connections' parsed Secrets, not from key names", () => {
    const path = writeConfig(`
  crm: { type: postgres, url: "postgres://sync:pg%2Fpass@localhost/crm" }
  erp:
    type: rest
    url: "https://erp.test/api"
    headers: { x-custom: "erp-api-token-123" }`);
    const { secrets } = loadEngineConfig(path);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'postgres://sync:pg%2Fpass@localhost/crm',
        'pg%2Fpass',
        'pg/pass',
        'https://erp.test/api',
        'erp-api-token-123',
      ]),
    );
  });
});

describe('openEngine', () => {
  it('builds a logger that redacts a PostgreSQL URL password and REST header values', async () => {
    const path = writeConfig(`
  crm: { type: postgres, url: "postgres://sync:pg-pass-42@localhost/crm" }
  erp:
    type: rest
    url: "https://erp.test/api"
    headers: { x-custom: "erp-api-token-123" }`);
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const engine = await openEngine(path, (secrets) =>
      createConsoleLogger({ format: 'text', level: 'info', secrets, stream }),
    );
    try {
      engine.logger.info('driver said: password pg-pass-42 rejected', { header: 'erp-api-token-123' });
    } finally {
      await engine.close();
    }
    expect(output).toContain('driver said');
    expect(output).not.toContain('pg-pass-42');
    expect(output).not.toContain('erp-api-token-123');
  });
});

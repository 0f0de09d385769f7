import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { proposeConnectionEntry } from '../connector-registry.js';
import { EndpointError, envVariableName, isConnectionName, parseEndpoint } from './init-endpoints.js';
import { readExistingConfig } from './init-existing-config.js';
import { inlineYaml, wrapComment, yamlScalar, yamlText } from './init-yaml.js';

describe('parseEndpoint', () => {
  it('writes a database URL as an env reference and prints it with the password masked', () => {
    const endpoint = parseEndpoint(
      'postgresql://sync:s3cr%40t@db.local:5432/crm?sslmode=require',
      'crm',
      proposeConnectionEntry,
    );
    expect(endpoint.entry).toEqual({
      type: 'postgres',
      url: 'postgresql://sync:s3cr%40t@db.local:5432/crm?sslmode=require',
    });
    expect(endpoint.line.entry).toBe('{ type: postgres, url: ${CRM_DATABASE_URL} }');
    expect(endpoint.env).toEqual({
      name: 'CRM_DATABASE_URL',
      example: 'postgresql://sync:***@db.local:5432/crm?sslmode=require',
    });
    const mariadb = parseEndpoint('mariadb://root:pw@h/erp?password=pw2', 'erp-prod', proposeConnectionEntry);
    expect(mariadb.entry.type).toBe('mysql');
    expect(mariadb.env?.name).toBe('ERP_PROD_DATABASE_URL');
    expect(mariadb.env?.example).not.toMatch(/pw2|:pw@/);
  });

  it('takes a SQLite file by prefix or extension, writing its path as given', () => {
    expect(parseEndpoint('sqlite:data/crm', 'crm', proposeConnectionEntry).line.entry).toBe(
      '{ type: sqlite, path: data/crm }',
    );
    expect(parseEndpoint('./erp.db', 'erp', proposeConnectionEntry).entry).toEqual({
      type: 'sqlite',
      path: './erp.db',
    });
  });

  it('refuses other schemes, non-URLs and bad names, without echoing a password', () => {
    expect(() => parseEndpoint('redis://u:pw@h/0', 'crm', proposeConnectionEntry)).toThrow(
      /no connector takes "redis:\/\/u:\*\*\*@h\/0"/,
    );
    expect(() => parseEndpoint('not a url:pw@', 'crm', proposeConnectionEntry)).toThrow(EndpointError);
    expect(() => parseEndpoint('not a url:pw@', 'crm', proposeConnectionEntry)).not.toThrow(/pw/);
    expect(() => parseEndpoint('postgres://h/crm', '1crm', proposeConnectionEntry)).toThrow(
      /starts with a letter/,
    );
  });

  it('tells connection names from URLs and files', () => {
    expect(isConnectionName('crm')).toBe(true);
    expect(isConnectionName('erp-prod')).toBe(true);
    expect(isConnectionName('postgres://h/crm')).toBe(false);
    expect(isConnectionName('crm.db')).toBe(false);
    expect(envVariableName('erp.prod')).toBe('ERP_PROD_DATABASE_URL');
  });
});

describe('readExistingConfig', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a named connection to connect and keeps it as written to copy', () => {
    dir = mkdtempSync(join(tmpdir(), 'syncline-init-'));
    const path = join(dir, 'syncline.yaml');
    writeFileSync(
      path,
      'state: ${STATE:-sqlite:s.db}\nconnections:\n  crm: { type: postgres, url: ${I9_TEST_CRM_URL}, schema: sales }\n',
    );
    process.env.I9_TEST_CRM_URL = 'postgres://u:pw@h/crm';
    try {
      const existing = readExistingConfig(path);
      expect(existing?.hasFlows).toBe(false);
      expect(existing?.state).toBe('${STATE:-sqlite:s.db}');
      const crm = existing?.endpoint('crm');
      expect(crm?.entry).toEqual({ type: 'postgres', url: 'postgres://u:pw@h/crm', schema: 'sales' });
      expect(crm?.line.entry).toBe('{ type: postgres, url: ${I9_TEST_CRM_URL}, schema: sales }');
      expect(() => existing?.endpoint('erp')).toThrow(/no connection "erp" .* \(it has: crm\)/);
    } finally {
      delete process.env.I9_TEST_CRM_URL;
    }
    expect(readExistingConfig(join(dir, 'missing.yaml'))).toBeUndefined();
  });
});

describe('YAML output', () => {
  it('quotes what YAML would read as something else', () => {
    expect(yamlScalar('name')).toBe('name');
    expect(yamlScalar('yes')).toBe('"yes"');
    expect(yamlScalar('2nd')).toBe('"2nd"');
    expect(yamlText('./data/crm.db')).toBe('./data/crm.db');
    expect(yamlText('C:\\crm.db')).toBe('"C:\\\\crm.db"');
    expect(yamlText('1.5')).toBe('"1.5"');
    expect(inlineYaml({ type: 'rest', headers: { authorization: 'Bearer ${T}' }, poolSize: 4 })).toBe(
      '{ type: rest, headers: { authorization: "Bearer ${T}" }, poolSize: 4 }',
    );
  });

  it('wraps long comments under their text', () => {
    const lines = wrapComment('GAP', 'word '.repeat(40).trim(), '  ');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines[1]).toMatch(/^ {2}# {6}word/);
  });
});

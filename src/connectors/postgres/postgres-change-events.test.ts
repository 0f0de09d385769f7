import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import {
  CHANGE_CHANNEL,
  changeEventObjects,
  createFunctionStatement,
  createTriggerStatement,
  triggerNameOf,
} from './postgres-change-events.js';
import { PostgresConnector } from './postgres-connector.js';
import { postgresConfigSchema } from './postgres-config.js';
import { parseTableName } from './postgres-sql.js';

const table = (name: string) => parseTableName(name, 'public', { role: 'source table' });

describe('change-event objects', () => {
  it('names the trigger after the table and the function after the schema, both quoted', () => {
    const objects = changeEventObjects(table('sales.accounts'));
    expect(objects.triggerName).toBe('syncline_accounts_notify');
    expect(objects.trigger).toBe('"syncline_accounts_notify"');
    expect(objects.function).toBe('"sales"."syncline_notify"');
  });

  it('creates a statement-level AFTER INSERT OR UPDATE OR DELETE trigger on the quoted table', () => {
    const name = table('sales.Accounts');
    const statement = createTriggerStatement(name, changeEventObjects(name));
    expect(statement.text).toBe(
      'CREATE TRIGGER "syncline_Accounts_notify" AFTER INSERT OR UPDATE OR DELETE ON "sales"."Accounts" FOR EACH STATEMENT EXECUTE FUNCTION "sales"."syncline_notify"()',
    );
  });

  it('notifies the syncline channel with the schema-qualified table name as payload', () => {
    const statement = createFunctionStatement(changeEventObjects(table('accounts')));
    expect(statement.text).toContain(
      `pg_notify('${CHANGE_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME)`,
    );
    expect(statement.text).toMatch(
      /^CREATE OR REPLACE FUNCTION "public"\."syncline_notify"\(\) RETURNS trigger/,
    );
  });

  it('shortens trigger names past 63 bytes with a hash, so two long table names never clash', () => {
    const first = triggerNameOf(table(`${'订单'.repeat(8)}_${'x'.repeat(10)}_a`));
    const second = triggerNameOf(table(`${'订单'.repeat(8)}_${'x'.repeat(10)}_b`));
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(63);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^syncline_.*_[0-9a-f]{8}_notify$/);
  });
});

describe('PostgresConnector change events', () => {
  const connector = new PostgresConnector(
    postgresConfigSchema.parse({ type: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 }),
    { name: 'crm', logger: silentLogger },
  );
  const source = (tableName: string) => ({
    flow: 'orders',
    table: tableName,
    key: 'id',
    cursor: 'updated_at',
    deleted: undefined,
    columns: ['id', 'updated_at'],
    batchSize: 100,
    lookback: 0,
  });

  it('declares the changeEvents capability', () => {
    expect(connector.capabilities.changeEvents).toBe(true);
  });

  it('refuses a table named "accounts; drop table x" before any SQL runs (invariant 6)', async () => {
    const signal = new AbortController().signal;
    const attempts: (() => Promise<unknown>)[] = [
      () => connector.installChangeEvents(source('accounts; drop table x'), signal),
      () => connector.removeChangeEvents(source('accounts; drop table x'), signal),
      () => connector.watchChanges(source('accounts; drop table x'), () => undefined, signal),
    ];
    for (const attempt of attempts) {
      const error: unknown = await Promise.resolve()
        .then(attempt)
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe('CONFIG_INVALID');
      expect((error as ConnectorError).message).toMatch(/Flow "orders".*"accounts; drop table x"/);
    }
  });
});

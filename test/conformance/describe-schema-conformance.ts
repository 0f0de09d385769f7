import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/core/connector.js';
import type { ColumnKind } from '../../src/core/values.js';
import {
  neverAborted,
  prepareTable,
  requireCapabilities,
  requireSql,
  type ConformanceContext,
} from './conformance-context.js';
import type { PortableColumn } from './connector-harness.js';

const DESCRIBED_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255', nullable: false },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'decimal18_4' },
  { name: 'active', type: 'boolean' },
  { name: 'seen_at', type: 'timestamptz' },
  { name: 'local_at', type: 'timestamp' },
  { name: 'birthday', type: 'date' },
  { name: 'payload', type: 'json' },
  { name: 'qty', type: 'integer', nullable: false },
];

const EXPECTED_KINDS: Readonly<Record<string, ColumnKind>> = {
  id: 'integer',
  code: 'string',
  name: 'string',
  amount: 'decimal',
  active: 'boolean',
  seen_at: 'timestamptz',
  local_at: 'timestamp',
  birthday: 'date',
  payload: 'json',
  qty: 'integer',
};

/** describeTable and probe. */
export function describeSchemaConformance(context: ConformanceContext): void {
  describe('schema and probe', () => {
    it('probe answers ok with the server product and version', async () => {
      const result = await context.harness().connector.probe(neverAborted);
      expect(result.ok, result.message).toBe(true);
      expect(typeof result.server).toBe('string');
      expect(result.server?.trim().length).toBeGreaterThan(0);
    });

    it('describeTable reports columns, kinds, nullability, varchar length, decimal precision and the primary key', async (test) => {
      requireCapabilities(test, context, 'describe');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_described', DESCRIBED_COLUMNS);
      const schema = await harness.connector.describeTable(table.object, neverAborted);
      expect(schema).toBeDefined();
      const byName = new Map<string, ColumnInfo>(
        (schema?.columns ?? []).map((column) => [column.name, column]),
      );
      expect([...byName.keys()].sort()).toEqual(DESCRIBED_COLUMNS.map((column) => column.name).sort());
      for (const column of DESCRIBED_COLUMNS) {
        const info = byName.get(column.name);
        expect(info?.kind, `kind of ${column.name} (${column.type}, native ${info?.nativeType ?? '?'})`).toBe(
          EXPECTED_KINDS[column.name],
        );
        expect(info?.nullable, `nullability of ${column.name}`).toBe(column.nullable !== false);
        expect(info?.nativeType.length, `native type of ${column.name}`).toBeGreaterThan(0);
      }
      expect(byName.get('code')?.maxLength).toBe(255);
      expect(byName.get('amount')).toMatchObject({ precision: 18, scale: 4 });
      expect(schema?.uniqueKeys).toContainEqual(['id']);
    });

    it('listTables lists base tables described as describeTable does, without views', async (test) => {
      requireCapabilities(test, context, 'listTables');
      const sql = requireSql(test, context);
      const harness = context.harness();
      const listTables = harness.connector.listTables?.bind(harness.connector);
      expect(listTables, 'a connector declaring listTables implements it').toBeDefined();
      const table = await prepareTable(test, context, 'cf_listed', DESCRIBED_COLUMNS);
      await sql.execute(`CREATE VIEW ${sql.quote('cf_listed_view')} AS SELECT 1 AS one`);
      const tables = (await listTables?.(neverAborted)) ?? [];
      const names = tables.map((table) => table.table);
      expect(names).toContain(table.object);
      expect(names).not.toContain('cf_listed_view');
      expect(names).toEqual([...names].sort());
      const listed = tables.find((listed) => listed.table === table.object);
      const described = await harness.connector.describeTable(table.object, neverAborted);
      expect(listed?.columns).toEqual(described?.columns);
      expect(listed?.uniqueKeys).toEqual(described?.uniqueKeys);
    });

    it('describeTable returns undefined for a table that does not exist', async (test) => {
      requireCapabilities(test, context, 'describe');
      await expect(
        context.harness().connector.describeTable('cf_no_such_table', neverAborted),
      ).resolves.toBeUndefined();
    });
  });
}

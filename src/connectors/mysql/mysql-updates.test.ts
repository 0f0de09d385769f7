import { describe, expect, it } from 'vitest';
import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import { buildMultiUpdate, buildPageQuery, parseTableName, type PageQuery } from './mysql-sql.js';
import { orderRecords } from './mysql-writer.js';

const target: TargetSpec = {
  flow: 'customers',
  table: 'customers',
  key: 'crm_id',
  columns: ['crm_id', 'name', 'credit'],
  types: {},
  onDelete: { mode: 'hard' },
};

function record(op: TargetRecord['op'], values: TargetRecord['values'] & { crm_id: number }): TargetRecord {
  return { key: String(values.crm_id), op, values };
}

function shown(records: readonly TargetRecord[]): string[] {
  return records.map((each) => `${each.op}:${JSON.stringify(each.values)}`);
}

describe('ordering update records', () => {
  it('merges an update into an earlier upsert or update of its key, its columns last', () => {
    const ordered = orderRecords(target, [
      record('upsert', { crm_id: 1, name: 'a', credit: '1' }),
      record('update', { crm_id: 1, credit: '2' }),
      record('update', { crm_id: 2, name: 'b' }),
      record('update', { crm_id: 2, credit: '3' }),
    ]);
    expect(shown(ordered)).toEqual([
      'upsert:{"crm_id":1,"name":"a","credit":"2"}',
      'update:{"crm_id":2,"name":"b","credit":"3"}',
    ]);
  });

  it('keeps an update after a delete of its key (run after the deletes), and lets a later upsert win', () => {
    expect(
      shown(
        orderRecords(target, [record('delete', { crm_id: 1 }), record('update', { crm_id: 1, name: 'x' })]),
      ),
    ).toEqual(['delete:{"crm_id":1}', 'update:{"crm_id":1,"name":"x"}']);
    expect(
      shown(
        orderRecords(target, [
          record('update', { crm_id: 1, name: 'x' }),
          record('upsert', { crm_id: 1, name: 'y' }),
        ]),
      ),
    ).toEqual(['upsert:{"crm_id":1,"name":"y"}']);
  });
});

describe('update statements', () => {
  it('updates several rows in one statement, each by its key, never inserting', () => {
    const statement = buildMultiUpdate(parseTableName('customers'), ['name', 'credit'], 'crm_id', [
      { key: 1n, values: ['a', '1.50'] },
      { key: 2n, values: ["O'Brien", null] },
    ]);
    expect(statement.sql).toBe(
      'UPDATE `customers` SET `name` = CASE `crm_id` WHEN ? THEN ? WHEN ? THEN ? ELSE `name` END, ' +
        '`credit` = CASE `crm_id` WHEN ? THEN ? WHEN ? THEN ? ELSE `credit` END WHERE `crm_id` IN (?)',
    );
    expect(statement.params).toEqual([1n, 'a', 2n, "O'Brien", 1n, '1.50', 2n, null, [1n, 2n]]);
  });

  it('ANDs inclusive range bounds into a page, each bound converted for its column', () => {
    const query: PageQuery = {
      table: parseTableName('accounts'),
      columns: ['id', 'updated_at'],
      key: 'id',
      cursor: 'updated_at',
      bind: (column, value) => `${column}:${String(value)}`,
    };
    const statement = buildPageQuery(query, {
      order: 'cursor',
      bounds: { fromKey: 5, fromCursor: 'a', toCursor: 'b' },
      limit: 10,
    });
    expect(statement.sql).toBe(
      'SELECT `id` AS `id`, `updated_at` AS `updated_at` FROM `accounts` WHERE `updated_at` IS NOT NULL ' +
        'AND `id` >= ? AND `updated_at` >= ? AND `updated_at` <= ? ORDER BY `updated_at`, `id` LIMIT ?',
    );
    expect(statement.params).toEqual(['id:5', 'updated_at:a', 'updated_at:b', 10]);
  });
});

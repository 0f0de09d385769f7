import { describe, expect, it } from 'vitest';
import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import { planWrite, writeShape } from './postgres-write-plan.js';
import {
  copyUpdateStageText,
  createUpdateStageStatement,
  updateMissingFromStageStatement,
} from './postgres-write-sql.js';

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

describe('planWrite with updates', () => {
  it('groups updates apart from upserts of the same columns', () => {
    const segments = planWrite(target, [
      record('upsert', { crm_id: 1, name: 'a' }),
      record('update', { crm_id: 2, name: 'b' }),
      record('update', { crm_id: 3, name: 'c' }),
      record('update', { crm_id: 4, credit: '1.5' }),
    ]);
    expect(segments.map((groups) => groups.map((group) => [group.op, group.records.length]))).toEqual([
      [
        ['upsert', 1],
        ['update', 2],
        ['update', 1],
      ],
    ]);
  });

  it('applies an update after an earlier record of its key, in a later segment', () => {
    const segments = planWrite(target, [
      record('upsert', { crm_id: 1, name: 'a' }),
      record('update', { crm_id: 1, credit: '2' }),
      record('delete', { crm_id: 1 }),
      record('update', { crm_id: 1, name: 'gone' }),
    ]);
    expect(segments.map((groups) => groups.map((group) => group.op))).toEqual([
      ['upsert'],
      ['update'],
      ['delete'],
      ['update'],
    ]);
  });
});

describe('update statements', () => {
  const shape = writeShape(target, 'public');

  it('stages numbered records typed like the target, then updates and returns the ordinals it missed', () => {
    expect(createUpdateStageStatement(shape, 'stage_1', ['crm_id', 'name']).text).toBe(
      'CREATE TEMPORARY TABLE "stage_1" ON COMMIT DROP AS SELECT 0::integer AS "syncline ordinal", "crm_id", "name" FROM "public"."customers" WITH NO DATA',
    );
    expect(copyUpdateStageText(shape, 'stage_1', ['crm_id', 'name'])).toBe(
      'COPY "stage_1" ("syncline ordinal", "crm_id", "name") FROM STDIN',
    );
    const statement = updateMissingFromStageStatement(shape, 'stage_1', ['crm_id', 'name']);
    expect(statement.text).toContain(
      'UPDATE "public"."customers" AS t SET "name" = s."name" FROM "stage_1" AS s WHERE t."crm_id" = s."crm_id" RETURNING',
    );
    expect(statement.text).not.toContain('INSERT');
    expect(statement.values).toEqual([]);
  });

  it('only looks for missing rows when the records hold the key alone', () => {
    expect(updateMissingFromStageStatement(shape, 'stage_1', ['crm_id']).text).toBe(
      'SELECT s."syncline ordinal" AS ordinal FROM "stage_1" AS s WHERE NOT EXISTS (SELECT 1 FROM "public"."customers" AS t WHERE t."crm_id" = s."crm_id") ORDER BY 1',
    );
  });
});

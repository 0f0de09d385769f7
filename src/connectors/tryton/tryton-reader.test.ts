import { describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../core/connector.js';
import { SyncError } from '../../core/errors.js';
import type { TrytonModel } from './tryton-models.js';
import { checkCursorField } from './tryton-reader.js';

const party: TrytonModel = {
  name: 'party.party',
  fields: new Map(),
  labels: new Map(),
  types: new Map([
    ['code', 'char'],
    ['write_date', 'timestamp'],
    ['create_date', 'timestamp'],
    ['birthday', 'date'],
    ['updated', 'datetime'],
  ]),
};

function source(cursor: string | undefined): SourceSpec {
  return {
    flow: 'parties',
    table: 'party.party',
    key: 'code',
    cursor,
    deleted: undefined,
    columns: ['code'],
    batchSize: 10,
    lookback: 0,
  };
}

describe('checkCursorField', () => {
  it('accepts no cursor and date fields as the cursor', () => {
    for (const cursor of [undefined, 'write_date', 'create_date', 'birthday', 'updated'])
      expect(() => {
        checkCursorField(source(cursor), party);
      }, String(cursor)).not.toThrow();
  });

  it('refuses a cursor that is not a date field, naming it, its type and the flow', () => {
    let caught: unknown;
    try {
      checkCursorField(source('code'), party);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyncError);
    expect(caught).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
    expect((caught as Error).message).toBe(
      'Flow "parties": the cursor "code" of Tryton model "party.party" is a char field; a Tryton cursor is a date field (write_date, create_date, or another date/datetime field), or leave the cursor out to read every record each cycle',
    );
  });

  it('leaves a field the model does not have to the read, which names it', () => {
    expect(() => {
      checkCursorField(source('no_such_field'), party);
    }).not.toThrow();
  });
});

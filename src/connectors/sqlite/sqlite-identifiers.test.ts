import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../core/errors.js';
import { assertColumnName, parseTableName, quoteIdentifier, quoteTable } from './sqlite-identifiers.js';

describe('SQLite identifiers', () => {
  it('accepts plain and schema-qualified table names, Unicode letters included', () => {
    expect(parseTableName('accounts')).toEqual({ schema: 'main', name: 'accounts' });
    expect(parseTableName('sales.accounts')).toEqual({ schema: 'sales', name: 'accounts' });
    expect(parseTableName('客户')).toEqual({ schema: 'main', name: '客户' });
  });

  it.each(['accounts; drop table x', 'a"b', 'a.b.c', '', '1abc', 'a b', 'x'.repeat(129)])(
    'rejects %j with a non-retryable ConnectorError naming it',
    (identifier) => {
      let thrown: unknown;
      try {
        parseTableName(identifier, 'customers');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConnectorError);
      expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', retryable: false, flow: 'customers' });
      expect((thrown as Error).message).toContain(JSON.stringify(identifier));
    },
  );

  it('rejects a column name with a dot or a quote', () => {
    expect(() => {
      assertColumnName('a.b');
    }).toThrow(ConnectorError);
    expect(() => {
      assertColumnName('name"; --');
    }).toThrow(ConnectorError);
    expect(() => {
      assertColumnName('credit_limit');
    }).not.toThrow();
  });

  it('quotes in double quotes, doubling a quote inside', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteTable({ schema: 'main', name: 'accounts' })).toBe('"main"."accounts"');
  });
});

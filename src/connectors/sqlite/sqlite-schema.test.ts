import { describe, expect, it } from 'vitest';
import { parseDeclaredType } from './sqlite-schema.js';

describe('parseDeclaredType', () => {
  it.each([
    ['DECIMAL(18,4)', { kind: 'decimal', precision: 18, scale: 4, hasNumericAffinity: true }],
    ['numeric(10, 2)', { kind: 'decimal', precision: 10, scale: 2, hasNumericAffinity: true }],
    ['DECIMAL TEXT(18,4)', { kind: 'decimal', precision: 18, scale: 4, hasNumericAffinity: false }],
    ['DECIMAL', { kind: 'decimal', hasNumericAffinity: true }],
    ['VARCHAR(255)', { kind: 'string', maxLength: 255, hasNumericAffinity: false }],
    ['NVARCHAR(40)', { kind: 'string', maxLength: 40, hasNumericAffinity: false }],
    ['TEXT', { kind: 'string', hasNumericAffinity: false }],
    ['BOOLEAN', { kind: 'boolean', hasNumericAffinity: true }],
    ['TIMESTAMPTZ', { kind: 'timestamptz', hasNumericAffinity: true }],
    ['TIMESTAMP(6) WITH TIME ZONE', { kind: 'timestamptz', hasNumericAffinity: true }],
    ['TIMESTAMP', { kind: 'timestamp', hasNumericAffinity: true }],
    ['DATETIME', { kind: 'timestamp', hasNumericAffinity: true }],
    ['DATE', { kind: 'date', hasNumericAffinity: true }],
    ['JSON', { kind: 'json', hasNumericAffinity: true }],
    ['BIGINT', { kind: 'integer', hasNumericAffinity: false }],
    ['INTEGER', { kind: 'integer', hasNumericAffinity: false }],
    ['DOUBLE PRECISION', { kind: 'float', hasNumericAffinity: false }],
    ['BLOB', { kind: 'binary', hasNumericAffinity: false }],
    ['', { kind: 'other', hasNumericAffinity: false }],
  ])('reads %j by its name and SQLite affinity', (declared, expected) => {
    expect(parseDeclaredType(declared)).toEqual(expected);
  });

  it('does not take a word that merely contains DATE for a date', () => {
    expect(parseDeclaredType('UPDATE_DATE_TEXT').kind).toBe('string');
  });
});

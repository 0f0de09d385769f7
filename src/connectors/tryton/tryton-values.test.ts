import { describe, expect, it } from 'vitest';
import { decodeRecord, decodeValue, encodeDatetime, encodeValue } from './tryton-values.js';

describe('Tryton values', () => {
  it('decodes Decimal, datetime, date and SQLite booleans to canonical values', () => {
    expect(decodeValue({ __class__: 'Decimal', decimal: '10.00' })).toBe('10.00');
    expect(
      decodeValue({
        __class__: 'datetime',
        year: 2026,
        month: 11,
        day: 25,
        hour: 16,
        minute: 35,
        second: 9,
        microsecond: 903500,
      }),
    ).toBe('2026-11-25T16:35:09.9035Z');
    expect(decodeValue({ __class__: 'date', year: 2026, month: 1, day: 5 })).toBe('2026-01-05');
    expect(decodeValue(1, 'boolean')).toBe(true);
    expect(decodeValue(0, 'boolean')).toBe(false);
    expect(decodeValue(1, 'integer')).toBe(1);
  });

  it('reads dotted fields from the related values Tryton nests under "field."', () => {
    const record = { id: 1, party: 3, 'party.': { id: 3, name: 'Acme', 'address.': null } };
    expect(decodeRecord(record, ['party', 'party.name', 'party.address.city'], new Map())).toEqual({
      party: 3,
      'party.name': 'Acme',
      'party.address.city': null,
    });
  });

  it('encodes decimals exactly, timestamps as naive UTC, and refuses what does not fit', () => {
    expect(encodeValue('list_price', '12.3400', 'numeric')).toEqual({
      __class__: 'Decimal',
      decimal: '12.3400',
    });
    expect(encodeValue('party', '42', 'many2one')).toBe(42);
    expect(encodeValue('salable', 'yes', 'boolean')).toBe(true);
    expect(encodeDatetime('2026-11-25T18:35:09.5+02:00')).toEqual({
      __class__: 'datetime',
      year: 2026,
      month: 11,
      day: 25,
      hour: 16,
      minute: 35,
      second: 9,
      microsecond: 500000,
    });
    expect(encodeValue('sale_date', '2026-11-25', 'date')).toEqual({
      __class__: 'date',
      year: 2026,
      month: 11,
      day: 25,
    });
    expect(() => encodeValue('list_price', 'ten', 'numeric')).toThrow(/"list_price" is not a decimal number/);
    expect(() => encodeValue('party', 'Acme', 'many2one')).toThrow(/is not a record id/);
  });
});

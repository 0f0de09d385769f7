import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimals, normalizeDecimal } from './decimal.js';

describe('normalizeDecimal', () => {
  it.each([
    ['+1.50', '1.50'],
    ['1e3', '1000'],
    ['1.5e-3', '0.0015'],
    ['.5', '0.5'],
    ['-0', '0'],
    ['007', '7'],
    ['99999999999999.9999', '99999999999999.9999'],
    ['-99999999999999.9999', '-99999999999999.9999'],
    ['123456789012345678901234567890.123456789', '123456789012345678901234567890.123456789'],
    ['-0.00', '0.00'],
    ['-0.0010', '-0.0010'],
    ['0.50', '0.50'],
    ['-00.10', '-0.10'],
    ['1.', '1'],
    [' 5 ', '5'],
  ])('normalises %s exactly to %s', (input, output) => {
    expect(normalizeDecimal(input)).toBe(output);
  });
  it('gives the same text whether or not it had to take the number apart (an exponent forces it)', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 6 });
    const decimal = fc
      .tuple(fc.constantFrom('', '-', '+'), digits, fc.option(digits, { nil: undefined }))
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        expect(normalizeDecimal(text)).toBe(normalizeDecimal(`${text}e0`));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects text that is not a number', () => {
    expect(normalizeDecimal('12abc')).toBeUndefined();
    expect(normalizeDecimal('')).toBeUndefined();
    expect(normalizeDecimal('.')).toBeUndefined();
  });
});

describe('compareDecimals', () => {
  it('orders decimals exactly, beyond float precision', () => {
    expect(compareDecimals('0.30000000000000000001', '0.3')).toBeGreaterThan(0);
    expect(compareDecimals('-2', '-10')).toBeGreaterThan(0);
    expect(compareDecimals('1.10', '1.1')).toBe(0);
    expect(compareDecimals('-0.5', '0.5')).toBeLessThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { dateAt, money, quantity, timestampAt, unitsOf, vatCents } from './demo-values.js';

describe('demo values', () => {
  it('formats cents and thousandths as exact decimal text', () => {
    expect(money(0)).toBe('0.00');
    expect(money(5)).toBe('0.05');
    expect(money(900719925474099)).toBe('9007199254740.99');
    expect(money(-1250)).toBe('-12.50');
    expect(quantity(2500)).toBe('2.500');
  });

  it('reads decimal text back into the same units', () => {
    expect(unitsOf('129.9', 2)).toBe(12990);
    expect(unitsOf('-0.50', 2)).toBe(-50);
    expect(unitsOf('1862.000', 3)).toBe(1862000);
    expect(unitsOf(money(987654), 2)).toBe(987654);
  });

  it('writes timestamps in China Standard Time in one fixed format', () => {
    const epoch = Date.UTC(2026, 10, 11, 15, 59, 59, 5);
    expect(timestampAt(epoch)).toBe('2026-11-11T23:59:59.005+08:00');
    expect(timestampAt(epoch + 1000)).toBe('2026-11-12T00:00:00.005+08:00');
    expect(timestampAt(epoch) < timestampAt(epoch + 1)).toBe(true);
    expect(dateAt(epoch + 1000)).toBe('2026-11-12');
  });

  it('rounds VAT of 13 % half up to the cent', () => {
    expect(vatCents(10000)).toBe(1300);
    expect(vatCents(50)).toBe(7);
    expect(vatCents(11)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { describeJsonPathProblem, valueAtPath } from './json-path.js';

describe('JSON paths', () => {
  const payload = { objectId: 17, properties: { amount: '12.50' }, lines: [{ sku: 'A' }, { sku: 'B' }] };

  it('reads properties, nested properties and array elements', () => {
    expect(valueAtPath(payload, 'objectId')).toBe(17);
    expect(valueAtPath(payload, 'properties.amount')).toBe('12.50');
    expect(valueAtPath(payload, 'lines[1].sku')).toBe('B');
    expect(valueAtPath(payload, 'lines[2].sku')).toBeUndefined();
    expect(valueAtPath(payload, 'objectId.x')).toBeUndefined();
    expect(valueAtPath('text', 'a')).toBeUndefined();
  });

  it('names what is wrong with a malformed path', () => {
    expect(describeJsonPathProblem('a.b[0]')).toBeUndefined();
    expect(describeJsonPathProblem('a..b')).toMatch(/"a\.\.b" is not a JSON path/);
    expect(describeJsonPathProblem('a[x]')).toMatch(/not a JSON path/);
  });
});

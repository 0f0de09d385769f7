import { describe, expect, it } from 'vitest';
import { isWellFormedText } from './values.js';

describe('isWellFormedText', () => {
  it('accepts valid Unicode, surrogate pairs included, and refuses a lone surrogate anywhere', () => {
    expect(isWellFormedText('')).toBe(true);
    expect(isWellFormedText('客户 😀 plain')).toBe(true);
    expect(isWellFormedText('\ud800')).toBe(false);
    expect(isWellFormedText('tail \udc00')).toBe(false);
    expect(isWellFormedText('swapped \ude00\ud83d pair')).toBe(false);
  });
});

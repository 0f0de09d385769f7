import { describe, expect, it } from 'vitest';
import { cursorBoundProblem } from './cursor-bounds.js';

describe('cursorBoundProblem', () => {
  it('refuses text that is neither a number nor an ISO 8601 timestamp, whatever the column', () => {
    for (const kind of [undefined, 'timestamptz', 'integer', 'string'] as const)
      expect(cursorBoundProblem('garbage', kind)).toMatch(
        /"garbage" is neither a number nor an ISO 8601 timestamp/,
      );
    expect(cursorBoundProblem('2026-02-30', undefined)).toMatch(/neither/);
  });

  it('wants a time for a time cursor and a number for a numeric cursor', () => {
    expect(cursorBoundProblem('2026-11-01T08:00:00+08:00', 'timestamptz')).toBeUndefined();
    expect(cursorBoundProblem('2026-11-01', 'date')).toBeUndefined();
    expect(cursorBoundProblem('42', 'timestamp')).toMatch(/holds times/);
    expect(cursorBoundProblem('42', 'integer')).toBeUndefined();
    expect(cursorBoundProblem('2026-11-01', 'integer')).toMatch(/holds numbers/);
  });
});

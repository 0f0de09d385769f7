import { describe, expect, it } from 'vitest';
import { nextLink } from './rest-pagination.js';

describe('nextLink', () => {
  const base = new URL('https://api.github.com/repos/a/b/issues');

  it('finds the rel="next" URL among the links of a Link header (RFC 8288)', () => {
    const header =
      '<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"';
    expect(nextLink(header, base)?.href).toBe('https://api.github.com/repositories/1/issues?page=2');
    expect(nextLink('</issues?page=3>; rel="prev next"', base)?.href).toBe(
      'https://api.github.com/issues?page=3',
    );
  });

  it('is undefined on the last page', () => {
    expect(
      nextLink(
        '<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=4>; rel="prev"',
        base,
      ),
    ).toBeUndefined();
    expect(nextLink(undefined, base)).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './error-codes.js';

const errorsDoc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the codes table in docs/errors.md: `| \`CODE\` | meaning | yes/no | what to do |`. */
const documentedRows = new Map(
  [...errorsDoc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|[^|\n]*\|\s*(yes|no)\s*\|/gm)].map(
    (match) => [match[1] ?? '', match[2] ?? ''] as const,
  ),
);

describe('docs/errors.md', () => {
  it('documents every code of ErrorCodes in its codes table', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !documentedRows.has(code));
    expect(missing, `codes missing from docs/errors.md: ${missing.join(', ')}`).toEqual([]);
  });

  it('documents no code that ErrorCodes does not define', () => {
    const unknown = [...documentedRows.keys()].filter((code) => !(code in ErrorCodes));
    expect(unknown, `docs/errors.md documents unknown codes: ${unknown.join(', ')}`).toEqual([]);
  });

  it('states the default retryability of every code as ErrorCodes does', () => {
    const wrong = Object.entries(ErrorCodes)
      .filter(([code, spec]) => {
        const documented = documentedRows.get(code);
        return documented !== undefined && documented !== (spec.retryable ? 'yes' : 'no');
      })
      .map(([code, spec]) => `${code} (retryable: ${spec.retryable ? 'yes' : 'no'})`);
    expect(wrong, `docs/errors.md states the wrong retryability for: ${wrong.join(', ')}`).toEqual([]);
  });
});

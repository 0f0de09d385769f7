import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderTypesDoc, TYPES_DOC_PATH } from './types-doc.js';

const docPath = fileURLToPath(new URL(`../../${TYPES_DOC_PATH}`, import.meta.url));

describe('docs/types.md', () => {
  it('matches the value-fidelity matrix it is generated from', async () => {
    const written = readFileSync(docPath, 'utf8');
    expect(
      written === (await renderTypesDoc()),
      `${TYPES_DOC_PATH} is stale: run \`npm run docs:types\``,
    ).toBe(true);
  });
});

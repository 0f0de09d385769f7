import { writeFileSync } from 'node:fs';
import { renderTypesDoc, TYPES_DOC_PATH } from './types-doc.js';

// `npm run docs:types`: renders docs/types.md from the matrix spec (run from the repository root).
writeFileSync(TYPES_DOC_PATH, await renderTypesDoc());
process.stdout.write(`wrote ${TYPES_DOC_PATH}\n`);

import { z } from 'zod';
import type { Expression } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';

/**
 * An expression in syncline.yaml (`fields.<name>.expr`, a flow's `filter`), parsed once here:
 * a syntax error is reported with the key's path and the character position.
 */
export const expressionSchema = z.string().transform((text, context): Expression => {
  const result = parseExpression(text);
  if (result.ok) return result.expression;
  context.addIssue({
    code: 'custom',
    message: `${result.message} (at character ${result.position} of ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)})`,
  });
  return z.NEVER;
});

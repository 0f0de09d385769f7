import { z } from 'zod';
import type { Expression } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';
import { describeIdentifierRule, isPlainIdentifier } from './identifiers.js';

/**
 * An expression in syncline.yaml (`fields.<name>.expr`, a flow's `filter`), parsed once here:
 * a syntax error is reported with the key's path and the character position. The columns it
 * names follow the identifier rule of every other column in config (DESIGN invariant 6), since
 * they are read from the source table.
 */
export const expressionSchema = z.string().transform((text, context): Expression => {
  const result = parseExpression(text);
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  if (!result.ok) {
    context.addIssue({
      code: 'custom',
      message: `${result.message} (at character ${result.position} of ${shown})`,
    });
    return z.NEVER;
  }
  const invalid = result.expression.columns.filter((column) => !isPlainIdentifier(column));
  for (const column of invalid)
    context.addIssue({
      code: 'custom',
      message: `column "${column}" in ${shown} ${describeIdentifierRule()}`,
    });
  return invalid.length === 0 ? result.expression : z.NEVER;
});

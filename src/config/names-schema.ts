import { z } from 'zod';

/**
 * Names of a system's objects and fields as the config gives them. The config only refuses what no
 * system accepts (an empty name, white space or control characters, empty path parts); each
 * connector then applies its system's own rules (`Connector.checkObjectName`/`checkFieldName`,
 * SQL identifier rules for the databases), reported by `validate` before anything runs.
 */
const NO_SPACE_OR_CONTROL = /^[^\s\p{Cc}]+$/u;

/** An object of a system: a table (`sales.accounts`), an ERP model (`sale.sale`), an API path (`/crm/v3/objects/deals`). */
export const objectName = z
  .string()
  .min(1, 'expected a name')
  .regex(NO_SPACE_OR_CONTROL, 'must not contain spaces or control characters');

/** A field of an object: a column (`name`), or a dotted path into a record (`properties.amount`). */
export const fieldName = z
  .string()
  .min(1, 'expected a name')
  .regex(NO_SPACE_OR_CONTROL, 'must not contain spaces or control characters')
  .refine((name) => name.split('.').every((part) => part !== ''), {
    message: 'a dotted path (properties.amount) must not have empty parts',
  });

/** The keys that name the object of a flow's side: one of them, by what the system calls it. */
export const OBJECT_KEYS = ['table', 'model', 'object'] as const;
export type ObjectKey = (typeof OBJECT_KEYS)[number];

/**
 * Checks that a side names its object exactly once, with `table`, `model` or `object`, and adds
 * an issue at the side's path otherwise.
 */
export function checkObjectKeys(
  side: Partial<Record<ObjectKey, string | undefined>>,
  context: z.RefinementCtx,
): void {
  const given = OBJECT_KEYS.filter((key) => side[key] !== undefined);
  if (given.length === 1) return;
  context.addIssue({
    code: 'custom',
    path: given.length === 0 ? [] : [given[1] ?? 'table'],
    message:
      given.length === 0
        ? 'name the object with exactly one of "table" (a database table), "model" (an ERP model such as party.party) or "object" (an API object or path)'
        : `give exactly one of "table", "model" or "object", not ${given.map((key) => `"${key}"`).join(' and ')}`,
  });
}

/**
 * The one name a side gives its object, as `table` (the engine's one internal name, whatever the
 * system calls it), and the key it was given under when not `table`, for messages' paths.
 */
export function objectOf(side: Partial<Record<ObjectKey, string | undefined>>): {
  table: string;
  objectKey?: ObjectKey;
} {
  const objectKey = OBJECT_KEYS.find((key) => side[key] !== undefined) ?? 'table';
  return { table: side[objectKey] ?? '', ...(objectKey === 'table' ? {} : { objectKey }) };
}

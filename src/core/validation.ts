import type { ValidationRules } from '../config/config-schema.js';
import { compareDecimals, normalizeDecimal } from './decimal.js';
import type { Row, Value } from './values.js';

/** A compiled rule set for one target column. */
export interface FieldRules {
  readonly field: string;
  readonly rules: ValidationRules;
  readonly pattern: RegExp | undefined;
}

/** Compiles the `validate:` section of a flow. */
export function compileValidation(
  validate: Readonly<Record<string, ValidationRules>> | undefined,
): FieldRules[] {
  return Object.entries(validate ?? {}).map(([field, rules]) => ({
    field,
    rules,
    pattern: rules.pattern === undefined ? undefined : new RegExp(rules.pattern, 'u'),
  }));
}

/** The first broken rule of a record: field and a reason a business user can act on. */
export interface ValidationFailure {
  readonly field: string;
  readonly reason: string;
}

function asText(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function checkRange(field: string, value: Value, rules: ValidationRules): ValidationFailure | undefined {
  if (rules.min === undefined && rules.max === undefined) return undefined;
  const text = asText(value);
  const number = text === undefined ? undefined : normalizeDecimal(text);
  if (number === undefined)
    return { field, reason: `value ${JSON.stringify(value)} is not a number, so min/max cannot apply` };
  if (rules.min !== undefined && compareDecimals(number, String(rules.min)) < 0) {
    return { field, reason: `value ${number} is below the minimum ${rules.min}` };
  }
  if (rules.max !== undefined && compareDecimals(number, String(rules.max)) > 0) {
    return { field, reason: `value ${number} is above the maximum ${rules.max}` };
  }
  return undefined;
}

function checkField(entry: FieldRules, value: Value | undefined): ValidationFailure | undefined {
  const { field, rules } = entry;
  const isEmpty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  if (isEmpty) return rules.required === true ? { field, reason: 'is required but empty' } : undefined;
  const text = asText(value);
  if (text !== undefined) {
    const length = Array.from(text).length;
    if (rules.maxLength !== undefined && length > rules.maxLength) {
      return { field, reason: `is ${length} characters long, more than the maximum ${rules.maxLength}` };
    }
    if (rules.minLength !== undefined && length < rules.minLength) {
      return { field, reason: `is ${length} characters long, fewer than the minimum ${rules.minLength}` };
    }
    if (entry.pattern !== undefined && !entry.pattern.test(text)) {
      return { field, reason: `value "${text}" does not match the pattern ${rules.pattern ?? ''}` };
    }
    if (rules.oneOf !== undefined && !rules.oneOf.some((allowed) => String(allowed) === text)) {
      return {
        field,
        reason: `value "${text}" is not one of ${rules.oneOf.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
  }
  return checkRange(field, value, rules);
}

/** Checks a mapped record against its rules; undefined when every rule holds. */
export function validateRecord(rules: readonly FieldRules[], values: Row): ValidationFailure | undefined {
  for (const entry of rules) {
    const failure = checkField(entry, values[entry.field]);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

import type { JsonValue } from './values.js';

/**
 * The value at a JSON path of dotted property names with optional indexes (`objectId`,
 * `properties.amount`, `lines[0].sku`), or undefined when any step is missing.
 */
export function valueAtPath(value: JsonValue | undefined, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of parseJsonPath(path)) {
    if (current === undefined || current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      current = Array.isArray(current) ? current[step] : undefined;
    } else {
      current = Array.isArray(current) ? undefined : current[step];
    }
  }
  return current;
}

const STEP = /^([^.[\]]+)((?:\[\d+\])*)$/;

/** The steps of a JSON path; throws naming the path when it is malformed. */
export function parseJsonPath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = STEP.exec(part);
    const [, name, indexes] = match ?? [];
    if (name === undefined) throw new Error(describeJsonPathProblem(path) ?? `bad JSON path "${path}"`);
    steps.push(name);
    for (const index of (indexes ?? '').matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/** Why `path` is not a JSON path, or undefined when it is one. */
export function describeJsonPathProblem(path: string): string | undefined {
  if (path.split('.').every((part) => STEP.test(part))) return undefined;
  return `"${path}" is not a JSON path: property names separated by ".", each optionally followed by [index]`;
}

import { describeJsonPathProblem, parseJsonPath } from '../../core/json-path.js';

/**
 * JSON paths as the rest of Syncline writes them (core/json-path.ts: `results`,
 * `paging.next.after`, `properties.amount`, `errors[0].message`): how the REST connector finds
 * records, fields, tokens and results in a JSON body, and where it puts a record's fields in a
 * request body. Here the empty path is the whole document.
 */

/** Why `path` is not a JSON path, or undefined when it is (the empty path included). */
export function jsonPathProblem(path: string): string | undefined {
  return path === '' ? undefined : describeJsonPathProblem(path);
}

/** The value at `path` in `document`, or undefined when any step is missing. */
export function getJsonPath(document: unknown, path: string): unknown {
  if (path === '') return document;
  let current: unknown = document;
  for (const step of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') current = Array.isArray(current) ? (current[step] as unknown) : undefined;
    else current = Array.isArray(current) ? undefined : (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Sets the value at `path` in `document`, creating the objects (and arrays, for indexes) on the way. */
export function setJsonPath(document: Record<string, unknown>, path: string, value: unknown): void {
  const steps = parseJsonPath(path);
  let current: Record<string | number, unknown> = document;
  steps.forEach((step, index) => {
    if (index === steps.length - 1) {
      current[step] = value;
      return;
    }
    const next = current[step];
    if (next === null || typeof next !== 'object') {
      const created = (typeof steps[index + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
      current[step] = created;
      current = created;
    } else current = next as Record<string | number, unknown>;
  });
}

/** `{name}` placeholders of a template replaced by `values` (each encoded by `encode`). */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  encode: (value: string) => string = (value) => value,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : encode(value);
  });
}

/**
 * Dotted JSON paths (`results`, `paging.next.after`, `properties.amount`, `errors.0.message`): how
 * the REST connector finds records, fields, tokens and results in a JSON body, and where it puts
 * a record's fields in a request body. The empty path is the whole document.
 */

const SEGMENT = /^(?:[A-Za-z_$][\w$-]*|\d+)$/;

/** Why `path` is not a dotted JSON path, or undefined when it is (the empty path included). */
export function jsonPathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  const bad = path.split('.').find((segment) => !SEGMENT.test(segment));
  return bad === undefined
    ? undefined
    : `${JSON.stringify(path)} is not a dotted JSON path (names of letters, digits, "_", "$" and "-" starting with a letter, "_" or "$", or array indexes, joined by ".")`;
}

/** The value at `path` in `document`, or undefined when any step is missing. */
export function getJsonPath(document: unknown, path: string): unknown {
  if (path === '') return document;
  let current: unknown = document;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Sets the value at `path` in `document`, creating the objects on the way. */
export function setJsonPath(document: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  const last = segments.pop() ?? path;
  let current: Record<string, unknown> = document;
  for (const segment of segments) {
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      current[segment] = created;
      current = created;
    } else current = next as Record<string, unknown>;
  }
  current[last] = value;
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

import type { z } from 'zod';
import { formatPath, type ConfigIssue } from './config-error.js';

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (
      distance <= Math.max(2, Math.floor(candidate.length / 3)) &&
      (best === undefined || distance < best.distance)
    ) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next.push(
        Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

const EXPECTED: Record<string, string> = {
  object: 'an object',
  record: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** zod's message for a union without an `error` of its own. */
const DEFAULT_UNION_MESSAGE = 'Invalid input';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Known keys of the strict object at a path, for "did you mean" hints. */
export type KnownKeys = (path: readonly PropertyKey[]) => readonly string[];

/** Turns zod issues into readable config issues with dotted paths and typo suggestions. */
export function zodIssuesToConfigIssues(
  error: z.ZodError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
  knownKeys?: KnownKeys,
): ConfigIssue[] {
  return withoutRequiredMeant(convertIssues(error.issues, input, prefix, [], knownKeys));
}

const DID_YOU_MEAN = /^unknown key; did you mean "(.+)"\?$/;

/** Drops `x.soft: required` when `x.sfot: unknown key; did you mean "soft"?` already says it. */
function withoutRequiredMeant(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const meant = new Set<string>();
  for (const issue of issues) {
    const key = DID_YOU_MEAN.exec(issue.message)?.[1];
    if (key !== undefined) meant.add(`${issue.path.slice(0, issue.path.lastIndexOf('.') + 1)}${key}`);
  }
  return issues.filter((issue) => !(meant.has(issue.path) && issue.message.startsWith('required')));
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(...issues.map((issue) => issue.path.length + (issue.code === 'invalid_type' ? 0 : 1)));
}

/** Whether a union branch refused the value as a whole (a literal, or another type), not a part of it. */
function refusesWhole(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.some(
    (issue) => issue.path.length === 0 && (issue.code === 'invalid_value' || issue.code === 'invalid_type'),
  );
}

/**
 * The union branch that got furthest into a mapping: branches that refused the mapping as a whole
 * (`hard`, `ignore` of `onDelete`) rank below one that looked inside (`{ soft: … }`).
 */
function bestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const ranked = [...branches].sort(
    (a, b) => Number(refusesWhole(a)) - Number(refusesWhole(b)) || depth(b) - depth(a),
  );
  return ranked[0];
}

/** The literal values a union's branches accept (`hard`, `ignore`), for a "did you mean". */
function literalsOf(branches: readonly (readonly z.core.$ZodIssue[])[]): string[] {
  return branches.flatMap((branch) =>
    branch.flatMap((issue) =>
      issue.code === 'invalid_value' && issue.path.length === 0
        ? issue.values.filter((value): value is string => typeof value === 'string')
        : [],
    ),
  );
}

function convertIssues(
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix: readonly PropertyKey[],
  base: readonly PropertyKey[],
  knownKeys: KnownKeys | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const raw of zodIssues) {
    const issue = { ...raw, path: [...base, ...raw.path] } as z.core.$ZodIssue;
    const path = [...prefix, ...issue.path];
    // A union (`name` or `{ from: name, … }`): report the branch that got furthest into the value.
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = bestBranch(issue.errors);
      if (
        best !== undefined &&
        best.length > 0 &&
        depth(best) > 0 &&
        valueAt(input, issue.path) !== null &&
        typeof valueAt(input, issue.path) === 'object'
      ) {
        issues.push(...convertIssues(best, input, prefix, issue.path, knownKeys));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = knownKeys === undefined ? undefined : closest(key, knownKeys(issue.path));
        issues.push({
          path: formatPath([...path, key]),
          message: `unknown key${hint === undefined ? '' : `; did you mean "${hint}"?`}`,
        });
      }
    } else if (issue.code === 'invalid_type') {
      const received = valueAt(input, issue.path);
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      issues.push({
        path: formatPath(path),
        message:
          received === undefined
            ? `required (${expected})`
            : `expected ${expected}, got ${describeReceived(received)}`,
      });
    } else if (issue.code === 'invalid_union') {
      const received = valueAt(input, issue.path);
      const hint = typeof received === 'string' ? closest(received, literalsOf(issue.errors)) : undefined;
      issues.push({
        path: formatPath(path),
        message:
          hint !== undefined
            ? `${describeReceived(received)} is not allowed here; did you mean "${hint}"?`
            : issue.message === DEFAULT_UNION_MESSAGE
              ? `${describeReceived(received)} is not allowed here`
              : received === undefined
                ? `required (${issue.message})`
                : `expected ${issue.message}, got ${describeReceived(received)}`,
      });
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

/** Parses `value` with `schema`; issues carry `prefix` in their paths. */
export function parseWithSchema<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix: readonly PropertyKey[],
): { ok: true; value: T } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: zodIssuesToConfigIssues(result.error, value, prefix) };
}

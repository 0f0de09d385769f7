import type { ConfigIssue } from './config-error.js';
import { formatPath } from './config-error.js';
import { decryptSecret, isEncryptedValue, MASTER_KEY_VARIABLE, parseMasterKey } from './secret-cipher.js';

/** The values decrypted from `enc:` strings, by the parsed config that holds them. */
const decryptedByConfig = new WeakMap<object, readonly string[]>();

/** A config tree with its `enc:` strings decrypted, and the plain values that came from them. */
export interface DecryptedTree {
  readonly tree: unknown;
  /** Every decrypted value: secrets wherever they land, whatever the schema says of their key. */
  readonly values: readonly string[];
}

function encryptedPaths(
  tree: unknown,
  path: PropertyKey[] = [],
  found: PropertyKey[][] = [],
): PropertyKey[][] {
  if (typeof tree === 'string') {
    if (isEncryptedValue(tree)) found.push(path);
  } else if (Array.isArray(tree)) {
    tree.forEach((item, index) => encryptedPaths(item, [...path, index], found));
  } else if (tree !== null && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree)) encryptedPaths(value, [...path, key], found);
  }
  return found;
}

function replaceAt(tree: unknown, path: readonly PropertyKey[], value: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(tree))
    return (tree as unknown[]).map((item, index) => (index === head ? replaceAt(item, rest, value) : item));
  const record = tree as Record<string, unknown>;
  return { ...record, [String(head)]: replaceAt(record[String(head)], rest, value) };
}

/**
 * Decrypts every `enc:v1:…` string of a config tree (after `${ENV}` references are resolved) with
 * the key in SYNCLINE_MASTER_KEY. A missing or malformed key is one issue at the first encrypted
 * key's path; a value that does not decrypt (wrong key, damaged) is an issue at its own path.
 * Messages never hold a value.
 */
export function decryptConfigValues(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
): DecryptedTree {
  const paths = encryptedPaths(tree);
  const [first] = paths;
  if (first === undefined) return { tree, values: [] };
  const key = parseMasterKey(env[MASTER_KEY_VARIABLE]);
  if (!key.ok) {
    const count = paths.length === 1 ? 'this value is' : `this and ${paths.length - 1} more values are`;
    issues.push({ path: formatPath(first), message: `${count} encrypted (enc:…), but ${key.reason}` });
    return { tree, values: [] };
  }
  let decrypted = tree;
  const values: string[] = [];
  for (const path of paths) {
    let cursor: unknown = tree;
    for (const part of path) cursor = (cursor as Record<PropertyKey, unknown>)[part];
    const result = decryptSecret(cursor as string, key.value);
    if (result.ok) {
      values.push(result.value);
      decrypted = replaceAt(decrypted, path, result.value);
    } else issues.push({ path: formatPath(path), message: `this value ${result.reason}` });
  }
  return { tree: decrypted, values };
}

/** Remembers which values of a parsed config were decrypted (see `decryptedSecretsOf`). */
export function rememberDecrypted(config: object, values: readonly string[]): void {
  if (values.length > 0) decryptedByConfig.set(config, [...values]);
}

/**
 * The values of a parsed config that were decrypted from `enc:` strings. They are secrets
 * wherever they are used, also under keys no connector schema marks secret: loggers redact them,
 * and the API masks them.
 */
export function decryptedSecretsOf(config: object): readonly string[] {
  return decryptedByConfig.get(config) ?? [];
}

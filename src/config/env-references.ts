import type { ConfigIssue } from './config-error.js';
import { formatPath } from './config-error.js';

/** A `${NAME}` or `${NAME:-default}` reference lifted out of the YAML text. */
interface EnvReference {
  readonly name: string;
  readonly fallback: string | undefined;
}

const TOKEN = /__syncline_env_(\d+)__/g;

/**
 * Lifts `${…}` references out of YAML text before parsing, since `url: ${DB_URL}` inside a flow
 * mapping (`{ type: postgres, url: ${DB_URL} }`, as DESIGN.md writes it) is not valid YAML.
 * Each becomes a plain-scalar token, restored and resolved in the parsed tree, where the path of
 * its key is known. `$${NAME}` stays literal as `${NAME}`.
 */
export function liftEnvReferences(text: string): { text: string; references: EnvReference[] } {
  const references: EnvReference[] = [];
  const lifted = text.replace(
    /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (whole, escape: string, name: string, fallback?: string) => {
      if (escape === '$') return whole.slice(1);
      references.push({ name, fallback });
      return `__syncline_env_${references.length - 1}__`;
    },
  );
  return { text: lifted, references };
}

/**
 * Resolves the lifted references in every string of a parsed YAML tree. A reference to an unset
 * (or empty) variable without a default is reported with the path of the key that holds it.
 */
export function resolveEnvReferences(
  tree: unknown,
  references: readonly EnvReference[],
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof tree === 'string') {
    return tree.replace(TOKEN, (_whole, index: string) => {
      const reference = references[Number(index)];
      if (reference === undefined) return '';
      const value = env[reference.name];
      if (value !== undefined && value !== '') return value;
      if (reference.fallback !== undefined) return reference.fallback;
      issues.push({
        path: formatPath(path),
        message: `environment variable ${reference.name} is not set (referenced as \${${reference.name}}); set it or write \${${reference.name}:-default}`,
      });
      return '';
    });
  }
  if (Array.isArray(tree))
    return tree.map((item, index) => resolveEnvReferences(item, references, env, issues, [...path, index]));
  if (tree !== null && typeof tree === 'object') {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [
        key,
        resolveEnvReferences(value, references, env, issues, [...path, key]),
      ]),
    );
  }
  return tree;
}

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { liftEnvReferences, resolveEnvReferences } from './env-references.js';
import { syncConfigSchema, type SyncConfig } from './config-schema.js';
import { zodIssuesToConfigIssues, type KnownKeys } from './zod-issues.js';

const FLOW_KEYS = [
  'description',
  'enabled',
  'source',
  'target',
  'batch',
  'fields',
  'validate',
  'filter',
  'cadence',
  'retry',
  'direction',
  'conflict',
  'writeBack',
  'dependsOn',
  'reconcile',
];
const KNOWN_KEYS = {
  '': ['state', 'connections', 'flows'],
  flow: FLOW_KEYS,
  source: ['connection', 'table', 'key', 'cursor', 'deleted', 'lookback'],
  target: ['connection', 'table', 'key', 'onDelete', 'cursor', 'id'],
  field: ['from', 'value', 'expr', 'type', 'map', 'default', 'trim', 'ref'],
  rule: ['required', 'maxLength', 'minLength', 'pattern', 'min', 'max', 'oneOf'],
  cadence: [
    'every',
    'cron',
    'timezone',
    'realtime',
    'pollInterval',
    'window',
    'peaks',
    'freshness',
    'adaptive',
    'priority',
  ],
  peak: ['name', 'every', 'from', 'to', 'days', 'between', 'monthDays'],
  adaptive: ['min', 'max'],
  retry: ['attempts', 'initialDelay', 'maxDelay', 'references'],
  conflict: ['fields', 'otherwise'],
  reconcile: ['cron', 'every', 'timezone', 'repair', 'mode'],
} as const satisfies Record<string, readonly string[]>;

/** Which strict object a path points into, for "did you mean" hints. */
const knownKeys: KnownKeys = (path) => {
  const [top, , part, inner] = path;
  if (path.length === 0) return KNOWN_KEYS[''];
  if (top !== 'flows') return [];
  if (path.length === 2) return KNOWN_KEYS.flow;
  if (part === 'fields') return KNOWN_KEYS.field;
  if (part === 'validate') return KNOWN_KEYS.rule;
  if (part === 'cadence' && inner === 'peaks') return KNOWN_KEYS.peak;
  if (part === 'cadence' && inner === 'adaptive') return KNOWN_KEYS.adaptive;
  return (KNOWN_KEYS as Record<string, readonly string[] | undefined>)[String(part)] ?? [];
};

/** Options of `parseConfig`. */
export interface ParseConfigOptions {
  /** Variables for `${NAME}` references; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** File name for messages. */
  readonly file?: string;
}

/**
 * Parses config text: YAML, then `${ENV}` references, then the schema. Every problem is collected
 * and thrown together as one ConfigError, each with the path of its key.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): SyncConfig {
  const file = options.file;
  const lifted = liftEnvReferences(text);
  const document = parseDocument(lifted.text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.slice(0, 3).map((error) => ({
        path: error.linePos?.[0] === undefined ? '' : `line ${error.linePos[0].line}`,
        message: error.message.split('\n')[0] ?? error.message,
      })),
      { ...(file === undefined ? {} : { file }) },
    );
  }
  const tree: unknown = document.toJS();
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError([{ path: '', message: 'expected a mapping with "connections" and "flows"' }], {
      ...(file === undefined ? {} : { file }),
    });
  }
  const issues: ConfigIssue[] = [];
  const resolved = resolveEnvReferences(tree, lifted.references, options.env ?? process.env, issues);
  const result = syncConfigSchema.safeParse(resolved);
  if (!result.success) issues.push(...zodIssuesToConfigIssues(result.error, resolved, [], knownKeys));
  if (issues.length > 0 || !result.success)
    throw new ConfigError(issues, { ...(file === undefined ? {} : { file }) });
  return result.data;
}

/** Reads and parses a config file; a missing file is a ConfigError too. */
export function loadConfig(path: string, options: Omit<ParseConfigOptions, 'file'> = {}): SyncConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError([{ path: '', message: `${reason} (create one with "syncline init")` }], {
      file: path,
      cause: error,
    });
  }
  return parseConfig(text, { ...options, file: path });
}

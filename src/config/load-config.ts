import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { crossReferenceIssues } from './cross-references.js';
import { decryptConfigValues, rememberDecrypted } from './encrypted-values.js';
import { liftEnvReferences, resolveEnvReferences } from './env-references.js';
import { redactText } from './secret.js';
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
  'acknowledge',
];
const KNOWN_KEYS = {
  '': ['state', 'server', 'alerts', 'connections', 'flows'],
  alerts: ['language', 'repeat', 'evaluateEvery', 'channels', 'rules'],
  server: ['host', 'port', 'tls', 'metrics', 'bodyLimit'],
  flow: FLOW_KEYS,
  source: ['connection', 'table', 'key', 'cursor', 'deleted', 'lookback'],
  target: ['connection', 'table', 'key', 'onDelete', 'cursor', 'id'],
  onDelete: ['soft'],
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
  if (top === 'server' && path.length === 1) return KNOWN_KEYS.server;
  if (top === 'alerts' && path.length === 1) return KNOWN_KEYS.alerts;
  if (top !== 'flows') return [];
  if (path.length === 2) return KNOWN_KEYS.flow;
  if (part === 'fields') return KNOWN_KEYS.field;
  if (part === 'validate') return KNOWN_KEYS.rule;
  if (part === 'cadence' && inner === 'peaks') return KNOWN_KEYS.peak;
  if (part === 'cadence' && inner === 'adaptive') return KNOWN_KEYS.adaptive;
  if (part === 'target' && inner === 'onDelete') return KNOWN_KEYS.onDelete;
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
 * Parses config text: YAML, then `${ENV}` references, then `enc:` values decrypted with
 * SYNCLINE_MASTER_KEY (see `decryptedSecretsOf`), then the schema. Every problem is collected and
 * thrown together as one ConfigError, each with the path of its key.
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
  const env = options.env ?? process.env;
  const resolved = resolveEnvReferences(tree, lifted.references, env, issues);
  const decrypted = decryptConfigValues(resolved, env, issues);
  const result = syncConfigSchema.safeParse(decrypted.tree);
  if (!result.success) {
    issues.push(...zodIssuesToConfigIssues(result.error, decrypted.tree, [], knownKeys));
    // The schema's own cross-reference checks ran only on what parsed; report the others too.
    const reported = new Set(issues.map((issue) => issue.path));
    for (const { path, message } of crossReferenceIssues(decrypted.tree)) {
      const formatted = formatPath(path);
      if (!reported.has(formatted)) issues.push({ path: formatted, message });
    }
  }
  if (issues.length > 0 || !result.success) {
    // A decrypted value in the wrong place must not be echoed by "expected …, got …".
    const masked = issues.map((issue) => ({
      ...issue,
      message: redactText(issue.message, decrypted.values),
    }));
    throw new ConfigError(masked, { ...(file === undefined ? {} : { file }) });
  }
  rememberDecrypted(result.data, decrypted.values);
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

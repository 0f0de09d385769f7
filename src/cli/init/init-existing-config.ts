import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../config/config-error.js';
import { liftEnvReferences, resolveEnvReferences } from '../../config/env-references.js';
import { EndpointError, type InitEndpoint } from './init-endpoints.js';
import { inlineYaml } from './init-yaml.js';

/**
 * What `init --from crm --to erp` takes from an existing config file that holds `connections:`
 * (and perhaps `state:`) only: the named entries, resolved to connect now and as written (with
 * their `${ENV}` references) to copy into the new file.
 */
export interface ExistingConfig {
  /** `state:` as written, if the file has one. */
  readonly state?: string;
  /** Whether the file already has flows (then only `--force` overwrites it). */
  readonly hasFlows: boolean;
  /** The endpoint of a connection named in the file. */
  endpoint(name: string): InitEndpoint;
}

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads the existing config file's `connections:` (and `state:`), or undefined when there is none. */
export function readExistingConfig(path: string): ExistingConfig | undefined {
  if (!existsSync(path)) return undefined;
  const lifted = liftEnvReferences(readFileSync(path, 'utf8'));
  const document = parseDocument(lifted.text);
  const tree: unknown = document.errors.length > 0 ? undefined : document.toJS();
  if (!isTree(tree) || !isTree(tree.connections)) {
    throw new EndpointError(`${path} has no "connections:" mapping to take --from and --to from`);
  }
  // Written back as written: each reference resolves to its own `${NAME}` text.
  const asWritten = Object.fromEntries(
    lifted.references.map((reference) => [
      reference.name,
      reference.fallback === undefined
        ? `\${${reference.name}}`
        : `\${${reference.name}:-${reference.fallback}}`,
    ]),
  );
  const written = resolveEnvReferences(tree, lifted.references, asWritten, []) as Tree;
  const writtenConnections = written.connections as Tree;
  const connections = tree.connections;
  return {
    ...(typeof written.state === 'string' ? { state: written.state } : {}),
    hasFlows: isTree(tree.flows) && Object.keys(tree.flows).length > 0,
    endpoint: (name) => {
      const entry = connections[name];
      if (!isTree(entry)) {
        const known = Object.keys(connections).join(', ');
        throw new EndpointError(
          `no connection "${name}" in ${path} (it has: ${known === '' ? 'none' : known}); give a database URL instead`,
        );
      }
      const issues: ConfigIssue[] = [];
      const resolved = resolveEnvReferences(entry, lifted.references, process.env, issues, [
        'connections',
        name,
      ]);
      if (issues.length > 0) throw new ConfigError(issues, { file: path });
      return {
        name,
        entry: resolved as Readonly<Record<string, unknown>>,
        line: { name, entry: inlineYaml(writtenConnections[name]) },
      };
    },
  };
}

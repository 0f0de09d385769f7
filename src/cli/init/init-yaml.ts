import type { FlowProposal, InitProposal } from './init-proposal.js';

/** A `connections:` entry as `init` writes it. */
export interface ConnectionLine {
  readonly name: string;
  /** The entry as an inline YAML mapping: `{ type: postgres, url: ${CRM_DATABASE_URL} }`. */
  readonly entry: string;
  /** A comment after the entry (the URL's shape, the password masked). */
  readonly comment?: string;
}

/** An environment variable the written config reads, and what it should hold. */
export interface EnvVariable {
  readonly name: string;
  /** What to set it to, the password masked: `postgres://user:***@host:5432/crm`. */
  readonly example: string;
}

/** What `renderInitConfig` writes, besides the proposal. */
export interface InitConfigContext {
  /** The command line that made the file, for its first comment (no secrets). */
  readonly command: string;
  readonly connections: readonly ConnectionLine[];
  readonly env: readonly EnvVariable[];
  /** `state:` to write; default `sqlite:.syncline/state.db`. */
  readonly state?: string;
}

const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** A name as a YAML scalar: plain when YAML reads it back as the same text, else double-quoted. */
export function yamlScalar(text: string): string {
  return /^[\p{L}_][\p{L}\p{N}_$-]*$/u.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

/** A text value (a path, a word) as a YAML scalar: plain where safe, else double-quoted. */
export function yamlText(text: string): string {
  return /^[\p{L}_/.][\p{L}\p{N}_$./-]*$/u.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

/** An inline YAML mapping of a parsed config value; `${…}` references are written back unquoted. */
export function inlineYaml(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${yamlScalar(key)}: ${inlineYaml(item)}`)
      .join(', ')} }`;
  }
  if (Array.isArray(value)) return `[${value.map(inlineYaml).join(', ')}]`;
  if (typeof value === 'string') {
    return /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/.test(value) ? value : yamlText(value);
  }
  return JSON.stringify(value);
}

function inline(entries: readonly (readonly [string, string | undefined])[]): string {
  const parts = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  return `{ ${parts.map(([key, value]) => `${key}: ${value}`).join(', ')} }`;
}

/** A comment wrapped at about 100 columns, continued lines indented under its text. */
export function wrapComment(prefix: string, text: string, indent: string): string[] {
  const head = `${indent}# ${prefix}: `;
  const rest = `${indent}#${' '.repeat(head.length - indent.length - 1)}`;
  const lines: string[] = [];
  let line = head;
  for (const word of text.split(' ')) {
    const start = line === head || line === rest;
    if (!start && line.length + word.length + 1 > 100) {
      lines.push(line);
      line = rest;
    }
    line += line === head || line === rest ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}

function flowLines(flow: FlowProposal, from: string, to: string): string[] {
  const notes = [
    ...flow.gaps.flatMap((gap) => wrapComment('GAP', gap, '  ')),
    ...flow.checks.flatMap((check) => wrapComment('CHECK', check, '  ')),
  ];
  const lines: string[] = [`${yamlScalar(flow.name)}:`];
  const { source, target } = flow;
  const onDelete =
    typeof target.onDelete === 'string'
      ? target.onDelete
      : inline([['soft', yamlScalar(target.onDelete.soft)]]);
  lines.push(
    `  source: ${inline([
      ['connection', yamlScalar(from)],
      ['table', yamlScalar(source.table)],
      ['key', yamlScalar(source.key)],
      ['cursor', source.cursor === undefined ? 'CHOOSE_A_CURSOR' : yamlScalar(source.cursor)],
      ['deleted', source.deleted === undefined ? undefined : yamlScalar(source.deleted)],
    ])}`,
    `  target: ${inline([
      ['connection', yamlScalar(to)],
      ['table', yamlScalar(target.table)],
      ['key', yamlScalar(target.key)],
      ['onDelete', onDelete],
    ])}`,
    '  fields: # target column: source column',
  );
  for (const field of flow.fields) {
    const line = `    ${yamlScalar(field.target)}: ${yamlScalar(field.source)}`;
    lines.push(field.check === undefined ? line : `${line} # CHECK: ${field.check}`);
  }
  if (flow.validate.length > 0) {
    lines.push('  validate: # a record breaking a rule is quarantined, not refused by the target');
    for (const rule of flow.validate) {
      const rules = inline([
        ['required', rule.required ? 'true' : undefined],
        ['maxLength', rule.maxLength === undefined ? undefined : String(rule.maxLength)],
      ]);
      lines.push(`    ${yamlScalar(rule.column)}: ${rules}`);
    }
  }
  lines.push('  cadence: { every: 5m } # or { cron: "0 2 * * *" } | { realtime: true }');
  if (source.deleted === undefined) {
    lines.push(
      `  ${flow.isRunnable ? '# ' : ''}reconcile: { cron: '0 3 * * *', repair: true } # finds rows deleted at the source`,
    );
  }
  return [...notes, ...lines.map((line) => (flow.isRunnable ? `  ${line}` : `  # ${line}`))];
}

function listComment(title: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  return wrapComment(title, names.join(', '), '');
}

/** The proposed `syncline.yaml`: connections by env reference, flows with CHECK and GAP comments. */
export function renderInitConfig(proposal: InitProposal, context: InitConfigContext): string {
  const runnable = proposal.flows.filter((flow) => flow.isRunnable).length;
  const lines: string[] = [
    `# Syncline configuration proposed by "${context.command}" from the live schemas.`,
    '# Every key is documented in docs/config.md. Review it before the first run:',
    '#   CHECK: a choice made by name likeness or a guess; confirm or change it.',
    '#   GAP:   something the tables lack; the flow is commented out until it is fixed.',
    '# Then run "syncline validate" and "syncline run --once".',
  ];
  if (context.env.length > 0) {
    lines.push('#', '# Set these environment variables (the passwords are not written here):');
    for (const variable of context.env) lines.push(`#   ${variable.name}=${variable.example}`);
  }
  lines.push('', '# Where Syncline keeps checkpoints, the key map, run history and dead letters.');
  lines.push(`state: ${context.state ?? 'sqlite:.syncline/state.db'}`, '', 'connections:');
  for (const connection of context.connections) {
    const line = `  ${yamlScalar(connection.name)}: ${connection.entry}`;
    lines.push(connection.comment === undefined ? line : `${line} # ${connection.comment}`);
  }
  lines.push('', runnable === 0 ? 'flows: {} # no flow can run yet: see the GAP notes below' : 'flows:');
  proposal.flows.forEach((flow, index) => {
    if (index > 0) lines.push('');
    lines.push(...flowLines(flow, proposal.from, proposal.to));
  });
  const unmatched = [
    ...listComment(`Tables of ${proposal.from} no table of ${proposal.to} matched`, proposal.unmatchedSource),
    ...listComment(`Tables of ${proposal.to} no flow writes`, proposal.unmatchedTarget),
  ];
  if (unmatched.length > 0) lines.push('', ...unmatched);
  return `${lines.join('\n')}\n`;
}

import type { FieldSpec, FlowConfig, LineConfig } from '../config/config-schema.js';
import type { Connector } from './connector.js';

/** A problem of a flow with its connectors: the config path at fault and why. */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
  /** `warning`: the flow can run, at a risk the message names. Default `error`. */
  readonly severity?: 'warning';
}

/** A name the config gives, the path it is at, and which side's system must accept it. */
interface NamedAt {
  readonly path: string;
  readonly name: string;
  readonly side: 'source' | 'target';
}

function sourceColumnOf(spec: string | FieldSpec): string | undefined {
  return typeof spec === 'string' ? spec : spec.from;
}

/** Source and target field names of a `fields:` map (a flow's or a line entry's). */
function fieldNames(fields: FlowConfig['fields'], path: string): NamedAt[] {
  return Object.entries(fields).flatMap(([target, spec]): NamedAt[] => {
    const from = sourceColumnOf(spec);
    return [
      { path: `${path}.${target}`, name: target, side: 'target' },
      ...(from === undefined
        ? []
        : [
            {
              path: typeof spec === 'string' ? `${path}.${target}` : `${path}.${target}.from`,
              name: from,
              side: 'source' as const,
            },
          ]),
    ];
  });
}

function lineNames(name: string, line: LineConfig, path: string): NamedAt[] {
  return [
    { path: `${path}.source.key`, name: line.source.key, side: 'source' },
    { path: `${path}.source.parent`, name: line.source.parent, side: 'source' },
    ...(line.target?.key === undefined
      ? []
      : [{ path: `${path}.target.key`, name: line.target.key, side: 'target' as const }]),
    { path, name, side: 'target' },
    ...fieldNames(line.fields, `${path}.fields`),
  ];
}

/** Every field name a flow's config gives, with its path and side. */
function flowFieldNames(config: FlowConfig, path: string): NamedAt[] {
  const { source, target } = config;
  const optional = (at: string, name: string | undefined, side: 'source' | 'target'): NamedAt[] =>
    name === undefined ? [] : [{ path: `${path}.${at}`, name, side }];
  return [
    { path: `${path}.source.key`, name: source.key, side: 'source' },
    ...optional('source.cursor', source.cursor, 'source'),
    ...optional('source.deleted', source.deleted, 'source'),
    { path: `${path}.target.key`, name: target.key, side: 'target' },
    ...optional('target.cursor', target.cursor, 'target'),
    ...optional('target.id', target.id, 'target'),
    ...(typeof target.onDelete === 'object'
      ? optional('target.onDelete.soft', target.onDelete.soft, 'target')
      : []),
    ...fieldNames(config.fields, `${path}.fields`),
    ...Object.entries(config.writeBack ?? {}).flatMap(([sourceColumn, targetColumn]): NamedAt[] => [
      { path: `${path}.writeBack.${sourceColumn}`, name: sourceColumn, side: 'source' },
      { path: `${path}.writeBack.${sourceColumn}`, name: targetColumn, side: 'target' },
    ]),
    ...Object.entries(config.lines ?? {}).flatMap(([name, line]) =>
      lineNames(name, line, `${path}.lines.${name}`),
    ),
  ];
}

/** What the flow needs of its connectors' capabilities, each with the path that asks for it. */
function capabilityIssues(
  config: FlowConfig,
  path: string,
  source: Connector,
  target: Connector,
): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const need = (ok: boolean | undefined, at: string, message: string): void => {
    if (ok !== true) issues.push({ path: `${path}.${at}`, message });
  };
  const from = `connection "${config.source.connection}"`;
  const to = `connection "${config.target.connection}"`;
  need(
    source.capabilities.source,
    'source.connection',
    `${from} cannot be read from (its connector is not a source)`,
  );
  need(
    target.capabilities.target,
    'target.connection',
    `${to} cannot be written to (its connector is not a target)`,
  );
  if (!target.capabilities.transactions && target.capabilities.recordOutcomes !== true)
    issues.push({
      path: `${path}.target.connection`,
      severity: 'warning',
      message: `${to} neither writes a batch all or nothing nor reports what became of each record: when a batch fails, the records of it that were written are written again while the one at fault is sought`,
    });
  const lanes = config.backfill?.lanes ?? 1;
  if (lanes > 1 && (source.planBackfill === undefined || source.readRange === undefined))
    issues.push({
      path: `${path}.backfill.lanes`,
      severity: 'warning',
      message: `${from} cannot split its initial scan into key ranges: the backfill runs in one lane`,
    });
  else if (lanes > 1 && config.direction === 'both')
    issues.push({
      path: `${path}.backfill.lanes`,
      severity: 'warning',
      message: 'lanes apply to one-way flows: this two-way flow reads its initial scan in one lane',
    });
  const cursor = source.capabilities.cursor ?? true;
  if (cursor === true)
    need(
      config.source.cursor !== undefined,
      'source.cursor',
      `required by ${from}: the column that rises whenever a record changes (updated_at, a version number), from which each cycle resumes`,
    );
  else if (cursor === false && config.source.cursor !== undefined)
    issues.push({
      path: `${path}.source.cursor`,
      message: `${from} reads every record each cycle and has no cursor (unchanged records are skipped by their content hash); remove source.cursor`,
    });
  if (config.lines !== undefined) {
    need(source.capabilities.lines, 'lines', `${from} cannot read records with lines`);
    need(
      target.capabilities.lines === true && target.capabilities.writesLines !== false,
      'lines',
      `${to} cannot write records with lines`,
    );
  }
  if (config.direction === 'both') {
    need(
      target.capabilities.updates,
      'direction',
      `"both" needs ${to} to update records in place, which it cannot`,
    );
    need(
      source.capabilities.updates,
      'direction',
      `"both" needs ${from} to update records in place, which it cannot`,
    );
    need(
      target.capabilities.source,
      'direction',
      `"both" reads changes from ${to}, which cannot be read from`,
    );
    need(
      source.capabilities.target,
      'direction',
      `"both" writes changes to ${from}, which cannot be written to`,
    );
    need(
      config.lines === undefined,
      'lines',
      'records with lines sync one way only; remove "direction: both" or "lines"',
    );
  }
  if (config.writeBack !== undefined) {
    need(
      source.capabilities.updates,
      'writeBack',
      `writes back to ${from}, which cannot update records in place`,
    );
    need(
      target.capabilities.source,
      'writeBack',
      `reads the written records back from ${to}, which cannot be read from`,
    );
  }
  return issues;
}

/**
 * What a flow asks of its connectors that they cannot do, before anything is read or written:
 * each object and field name by its system's own rules (`checkObjectName`/`checkFieldName`),
 * and each capability the flow relies on (a source that reads, a target that writes, a cursor,
 * lines, in-place updates for two-way flows and write-back). Paths are the config's
 * (`flows.orders.target.model`).
 */
export function flowContractIssues(
  name: string,
  config: FlowConfig,
  connectors: { readonly source: Connector; readonly target: Connector },
): ContractIssue[] {
  const path = `flows.${name}`;
  const issues = capabilityIssues(config, path, connectors.source, connectors.target);
  const objects: NamedAt[] = [
    {
      path: `${path}.source.${config.source.objectKey ?? 'table'}`,
      name: config.source.table,
      side: 'source',
    },
    {
      path: `${path}.target.${config.target.objectKey ?? 'table'}`,
      name: config.target.table,
      side: 'target',
    },
    ...Object.entries(config.lines ?? {}).map(([line, entry]): NamedAt => ({
      path: `${path}.lines.${line}.source.${entry.source.objectKey ?? 'table'}`,
      name: entry.source.table,
      side: 'source',
    })),
  ];
  for (const object of objects) {
    const problem = connectors[object.side].checkObjectName?.(object.name);
    if (problem !== undefined) issues.push({ path: object.path, message: problem });
  }
  for (const field of flowFieldNames(config, path)) {
    const problem = connectors[field.side].checkFieldName?.(field.name);
    if (problem !== undefined) issues.push({ path: field.path, message: problem });
  }
  return issues;
}

/**
 * References (`ref`, of fields and of lines) to flows that never learn their target ids: the
 * referenced flow needs `target.id` (read back after inserts) unless its target connector reports
 * each new record's id with its outcome (`capabilities.recordOutcomes`).
 */
export function referenceIssues(
  flows: Readonly<Record<string, FlowConfig>>,
  targetOf: (flow: string) => Connector,
): ContractIssue[] {
  const issues: ContractIssue[] = [];
  for (const [name, config] of Object.entries(flows)) {
    const fieldSets: [string, FlowConfig['fields']][] = [
      [`flows.${name}.fields`, config.fields],
      ...Object.entries(config.lines ?? {}).map(([relation, line]): [string, FlowConfig['fields']] => [
        `flows.${name}.lines.${relation}.fields`,
        line.fields,
      ]),
    ];
    for (const [path, fields] of fieldSets)
      for (const [field, spec] of Object.entries(fields)) {
        if (typeof spec === 'string' || spec.ref === undefined) continue;
        const referenced = flows[spec.ref];
        if (referenced === undefined || referenced.target.id !== undefined) continue;
        if (targetOf(spec.ref).capabilities.recordOutcomes === true) continue;
        issues.push({
          path: `${path}.${field}.ref`,
          message: `flow "${spec.ref}" has no "target.id": name the column holding the id ${referenced.target.connection} gives its records, so references can be translated to it`,
        });
      }
  }
  return issues;
}

import type { z } from 'zod';
import type { ConflictPolicyConfig } from './sync-direction-schema.js';

/** The parts of a flow's config the checks below read (structural, to avoid an import cycle). */
interface FlowShape {
  readonly source: {
    readonly connection: string;
    readonly key: string;
    readonly deleted?: string | undefined;
  };
  readonly target: {
    readonly connection: string;
    readonly key: string;
    readonly cursor?: string | undefined;
    readonly id?: string | undefined;
  };
  readonly direction?: 'one-way' | 'both' | undefined;
  readonly conflict?: ConflictPolicyConfig | undefined;
  readonly writeBack?: Readonly<Record<string, string>> | undefined;
  readonly dependsOn?: readonly string[] | undefined;
  readonly fields: Readonly<
    Record<
      string,
      | string
      | {
          readonly from?: string | undefined;
          readonly value?: unknown;
          readonly map?: Readonly<Record<string, unknown>> | undefined;
          readonly ref?: string | undefined;
          readonly expr?: unknown;
        }
    >
  >;
  readonly filter?: unknown;
  readonly lines?: Readonly<Record<string, { readonly fields: FlowShape['fields'] }>> | undefined;
}

type Context = z.RefinementCtx;

function issue(context: Context, path: (string | number)[], message: string): void {
  context.addIssue({ code: 'custom', path, message });
}

/** Owners a `conflict.fields` entry may name for a flow. */
export function conflictOwnerNames(flow: FlowShape): string[] {
  return ['source', 'target', flow.source.connection, flow.target.connection];
}

/** Checks of one flow: what `direction: both`, `conflict` and `writeBack` need. */
export function checkDirection(flow: FlowShape, context: Context): void {
  const isTwoWay = flow.direction === 'both';
  if (!isTwoWay && flow.conflict !== undefined) {
    issue(context, ['conflict'], 'applies to two-way flows only; add "direction: both" or remove it');
  }
  if (isTwoWay && flow.target.cursor === undefined) {
    issue(
      context,
      ['target', 'cursor'],
      'required with "direction: both": the column that rises whenever a target row changes (e.g. updated_at), so target changes can be read',
    );
  }
  if (isTwoWay) checkReversibleFields(flow, context);
  if (isTwoWay && flow.filter !== undefined)
    issue(
      context,
      ['filter'],
      'a row filter applies to one-way flows only: a target row outside it could not be told from a deleted one; sync the rows in a one-way flow',
    );
  if (typeof flow.conflict === 'object') {
    const owners = conflictOwnerNames(flow);
    for (const [field, owner] of Object.entries(flow.conflict.fields)) {
      if (!(field in flow.fields))
        issue(
          context,
          ['conflict', 'fields', field],
          `"${field}" is not a mapped target column (the keys of "fields": ${Object.keys(flow.fields).join(', ')})`,
        );
      if (!owners.includes(owner))
        issue(
          context,
          ['conflict', 'fields', field],
          `unknown owner "${owner}"; use ${[...new Set(owners)].map((name) => `"${name}"`).join(', ')}`,
        );
    }
  }
  for (const [sourceColumn, targetColumn] of Object.entries(flow.writeBack ?? {})) {
    if (sourceColumn === flow.source.key)
      issue(context, ['writeBack', sourceColumn], 'is the source key; a key is never written back');
    if (targetColumn === flow.target.key)
      issue(
        context,
        ['writeBack', sourceColumn],
        `"${targetColumn}" is the target key: it holds the source key already`,
      );
  }
}

/** In a two-way flow every mapped field must map back: one-to-one dictionaries, no references. */
function checkReversibleFields(flow: FlowShape, context: Context): void {
  for (const [target, spec] of Object.entries(flow.fields)) {
    if (typeof spec === 'string') continue;
    if (spec.expr !== undefined)
      issue(
        context,
        ['fields', target, 'expr'],
        'a computed field cannot be mapped back to the source; remove it from this two-way flow and write it in a one-way flow on the same tables',
      );
    if (spec.ref !== undefined)
      issue(
        context,
        ['fields', target, 'ref'],
        'references are not translated back in a two-way flow; sync this field one way in a separate flow',
      );
    if (spec.map !== undefined) {
      const seen = new Map<string, string>();
      for (const [from, to] of Object.entries(spec.map)) {
        const text = JSON.stringify(to);
        const earlier = seen.get(text);
        if (earlier !== undefined)
          issue(
            context,
            ['fields', target, 'map', from],
            `"${earlier}" and "${from}" both map to ${text}; a two-way flow needs a one-to-one map to map values back`,
          );
        seen.set(text, from);
      }
    }
  }
}

/** Checks across flows: references and dependencies name flows that exist, with no cycle. */
export function checkFlowLinks(
  config: { readonly flows: Readonly<Record<string, FlowShape>> },
  context: Context,
): void {
  const names = Object.keys(config.flows);
  const edges = new Map<string, Set<string>>();
  for (const [name, flow] of Object.entries(config.flows)) {
    const needs = new Set<string>();
    for (const [index, dependency] of (flow.dependsOn ?? []).entries()) {
      if (!(dependency in config.flows))
        issue(
          context,
          ['flows', name, 'dependsOn', index],
          `no flow named "${dependency}" (flows: ${names.join(', ')})`,
        );
      else if (dependency !== name) needs.add(dependency);
    }
    const fieldSets: [(string | number)[], FlowShape['fields']][] = [
      [['flows', name, 'fields'], flow.fields],
      ...Object.entries(flow.lines ?? {}).map(
        ([relation, line]): [(string | number)[], FlowShape['fields']] => [
          ['flows', name, 'lines', relation, 'fields'],
          line.fields,
        ],
      ),
    ];
    for (const [at, fields] of fieldSets)
      for (const [field, spec] of Object.entries(fields)) {
        if (typeof spec === 'string' || spec.ref === undefined) continue;
        const referenced = config.flows[spec.ref];
        const path = [...at, field, 'ref'];
        if (referenced === undefined) {
          issue(context, path, `no flow named "${spec.ref}" (flows: ${names.join(', ')})`);
          continue;
        }
        if (spec.from === undefined) issue(context, path, 'needs "from": the source column holding the key');
        // Whether the referenced flow learns its target ids (`target.id`, or ids its connector
        // reports with each record) depends on its connector: checked with it (core/flow-contract.ts).
        if (spec.ref !== name) needs.add(spec.ref);
      }
    edges.set(name, needs);
  }
  const cycle = findCycle(edges);
  if (cycle !== undefined)
    issue(
      context,
      ['flows', cycle[0] ?? ''],
      `flows depend on each other in a circle (${cycle.join(' → ')}); no flow can go first`,
    );
}

function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const found = visit(node);
    if (found !== undefined) return found;
  }
  return undefined;
}

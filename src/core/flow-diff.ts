import type { Cadence } from '../config/cadence-schema.js';
import { formatDuration } from '../config/duration.js';
import type { Flow } from './flow.js';
import type { FieldMapping } from './mapping.js';

/** One aspect of a compiled flow that a config edit can change, with the key path it is shown as. */
interface Aspect {
  readonly path: string;
  readonly value: (flow: Flow) => unknown;
}

const ASPECTS: readonly Aspect[] = [
  { path: 'enabled', value: (flow) => flow.enabled },
  { path: 'source.connection', value: (flow) => flow.sourceConnection },
  { path: 'source.table', value: (flow) => flow.source.table },
  { path: 'source.key', value: (flow) => flow.source.key },
  { path: 'source.cursor', value: (flow) => flow.source.cursor },
  { path: 'source.deleted', value: (flow) => flow.source.deleted },
  { path: 'source.lookback', value: (flow) => [flow.source.lookback, flow.source.lookbackAppliesTo] },
  { path: 'target.connection', value: (flow) => flow.targetConnection },
  { path: 'target.table', value: (flow) => flow.target.table },
  { path: 'target.key', value: (flow) => flow.target.key },
  { path: 'target.id', value: (flow) => flow.targetId },
  { path: 'target.onDelete', value: (flow) => flow.target.onDelete },
  { path: 'batch', value: (flow) => flow.source.batchSize },
  { path: 'validate', value: (flow) => flow.rules.map((rule) => [rule.field, rule.rules]) },
  { path: 'retry', value: (flow) => [flow.retry, flow.referenceAttempts] },
  { path: 'direction', value: (flow) => flow.direction },
  { path: 'twoWay', value: (flow) => flow.twoWay },
  { path: 'writeBack', value: (flow) => flow.writeBack },
  { path: 'dependsOn', value: (flow) => flow.dependsOn },
  { path: 'reconcile', value: (flow) => flow.reconcile },
  {
    path: 'lines',
    value: (flow) => [
      flow.source.lines,
      flow.target.lines,
      flow.lines.map((line) => [
        line.rules.map((rule) => [rule.field, rule.rules]),
        line.fields.map((field) => [
          field.target,
          field.from,
          field.expression?.text,
          field.constant,
          field.type,
          field.dictionary === undefined ? undefined : [...field.dictionary],
          field.fallback,
          field.trim,
          field.ref,
        ]),
      ]),
    ],
  },
];

/** How each property of a field mapping is named in the YAML (`map`, `default`). */
const FIELD_PROPERTIES: readonly (readonly [keyof FieldMapping, string])[] = [
  ['from', 'from'],
  ['constant', 'value'],
  ['type', 'type'],
  ['dictionary', 'map'],
  ['fallback', 'default'],
  ['trim', 'trim'],
  ['ref', 'ref'],
];

/**
 * What differs between two compilations of one flow, in the config's words, one phrase per
 * change: `fields.status map changed`, `cadence every 5m → 1m`, `source.table accounts → clients`.
 * Empty when the flow runs the same.
 */
export function diffFlow(before: Flow, after: Flow): string[] {
  const changes: string[] = [];
  for (const aspect of ASPECTS) {
    const phrase = changePhrase(aspect.path, aspect.value(before), aspect.value(after));
    if (phrase !== undefined) changes.push(phrase);
  }
  changes.push(...diffFields(before.mapping.fields, after.mapping.fields));
  changes.push(...diffCadence(before.cadence, after.cadence));
  return changes;
}

function diffFields(before: readonly FieldMapping[], after: readonly FieldMapping[]): string[] {
  const changes: string[] = [];
  const old = new Map(before.map((field) => [field.target, field]));
  const next = new Map(after.map((field) => [field.target, field]));
  for (const [name, field] of next) {
    const previous = old.get(name);
    if (previous === undefined) {
      changes.push(`fields.${name} added`);
      continue;
    }
    for (const [property, word] of FIELD_PROPERTIES) {
      const phrase = changePhrase(`fields.${name} ${word}`, previous[property], field[property]);
      if (phrase !== undefined) changes.push(phrase);
    }
  }
  for (const name of old.keys()) if (!next.has(name)) changes.push(`fields.${name} removed`);
  return changes;
}

function diffCadence(before: Cadence, after: Cadence): string[] {
  const changes: string[] = [];
  const [was, now] = [cadenceText(before), cadenceText(after)];
  // Two intervals read best as `every 5m → 1m`.
  const shown = was.startsWith('every ') && now.startsWith('every ') ? now.slice('every '.length) : now;
  if (was !== now) changes.push(`cadence ${was} → ${shown}`);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)] as (keyof Cadence)[]);
  for (const key of ['everyMs', 'cron', 'realtime'] as const) keys.delete(key);
  for (const key of [...keys].sort()) {
    if (canonical(before[key]) !== canonical(after[key])) changes.push(`cadence.${cadenceKey(key)} changed`);
  }
  return changes;
}

/** The YAML key of a compiled cadence property (`freshnessMs` → `freshness`). */
function cadenceKey(key: keyof Cadence): string {
  return key.endsWith('Ms') ? key.slice(0, -2) : key;
}

/** A cadence's main form as the config writes it: `every 5m`, `cron 0 2 * * *`, `realtime`. */
export function cadenceText(cadence: Cadence): string {
  if (cadence.realtime === true) return 'realtime';
  if (cadence.cron !== undefined) return `cron ${cadence.cron}`;
  if (cadence.everyMs !== undefined) return `every ${formatDuration(cadence.everyMs)}`;
  return 'none';
}

/** `path a → b` for two different short scalars, `path changed` for others, undefined when equal. */
function changePhrase(path: string, before: unknown, after: unknown): string | undefined {
  const [was, now] = [canonical(before), canonical(after)];
  if (was === now) return undefined;
  if (isShort(before) && isShort(after)) return `${path} ${scalarText(before)} → ${scalarText(after)}`;
  return `${path} changed`;
}

function isShort(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    (typeof value === 'string' && value.length <= 40)
  );
}

function scalarText(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** JSON with sorted object keys, Maps as sorted entries and RegExps as their source: equal values, equal text. */
export function canonical(value: unknown): string {
  // Wrapped in an array: JSON.stringify(undefined) would give no text at all.
  return JSON.stringify([value], (_key, item: unknown) => {
    if (item instanceof Map)
      return [...(item as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v]).sort();
    if (item instanceof RegExp) return `/${item.source}/${item.flags}`;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((key) => [key, record[key]]),
      );
    }
    return item;
  });
}

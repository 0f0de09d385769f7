import type { ColumnInfo, TableSchema } from '../../core/table-schema.js';
import type { ColumnKind } from '../../core/values.js';
import { ConnectorError } from '../../core/errors.js';
import type { TrytonRpcClient } from './tryton-rpc.js';

/** One field of a Tryton model, as `fields_get` describes it. */
export interface TrytonField {
  readonly name: string;
  /** Tryton's type: `char`, `numeric`, `many2one`, `one2many`, `boolean`, `datetime`, … */
  readonly type: string;
  /** The field's label (`"Party"`), which Tryton's error messages name. */
  readonly label: string;
  readonly readonly: boolean;
  readonly required: boolean;
  /** The related model of a relation field (`sale.line`). */
  readonly relation?: string;
  /** The field of the related model pointing back (`sale` of `sale.line`), for one2many fields. */
  readonly relationField?: string;
}

/** The fields of one model by name, and label → name for error messages. */
export interface TrytonModel {
  readonly name: string;
  readonly fields: ReadonlyMap<string, TrytonField>;
  readonly labels: ReadonlyMap<string, string>;
  /** Field name → Tryton type, for decoding and encoding values. */
  readonly types: ReadonlyMap<string, string>;
}

/** A model name as Tryton spells them: dotted lower-case words (`party.party`, `sale.line`). */
const MODEL_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
/** A field name or a dotted path through many2one fields (`party.name`). */
const FIELD_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

/** Why `name` cannot name a Tryton model, or undefined when it can. */
export function checkModelName(name: string): string | undefined {
  return MODEL_NAME.test(name)
    ? undefined
    : `"${name}" is not a Tryton model name: dotted lower-case words such as party.party or sale.sale`;
}

/** Why `name` cannot name a Tryton field (or a dotted path such as `party.name`), or undefined when it can. */
export function checkTrytonFieldName(name: string): string | undefined {
  return FIELD_NAME.test(name)
    ? undefined
    : `"${name}" is not a Tryton field name: lower-case words with _, or a dotted path such as party.name`;
}

const KINDS: Readonly<Record<string, ColumnKind>> = {
  char: 'string',
  text: 'string',
  selection: 'string',
  reference: 'string',
  integer: 'integer',
  bigint: 'integer',
  many2one: 'integer',
  numeric: 'decimal',
  float: 'float',
  boolean: 'boolean',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  date: 'date',
  time: 'time',
  binary: 'binary',
  dict: 'json',
  one2many: 'json',
  many2many: 'json',
  multiselection: 'json',
};

/** The engine's kind of a Tryton field type. */
export function kindOf(type: string): ColumnKind {
  return KINDS[type] ?? 'other';
}

function toField(name: string, raw: Record<string, unknown>): TrytonField {
  const relation = raw['relation'];
  const relationField = raw['relation_field'];
  return {
    name,
    type: typeof raw['type'] === 'string' ? raw['type'] : 'other',
    label: typeof raw['string'] === 'string' ? raw['string'] : name,
    readonly: raw['readonly'] === true,
    required: raw['required'] === true,
    ...(typeof relation === 'string' ? { relation } : {}),
    ...(typeof relationField === 'string' ? { relationField } : {}),
  };
}

/** `fields_get` of each model, asked once per connector. */
export class TrytonModels {
  readonly #client: TrytonRpcClient;
  readonly #models = new Map<string, Promise<TrytonModel | undefined>>();

  constructor(client: TrytonRpcClient) {
    this.#client = client;
  }

  /** The model's fields, or undefined when Tryton has no such model. */
  find(model: string, signal: AbortSignal): Promise<TrytonModel | undefined> {
    let pending = this.#models.get(model);
    if (pending === undefined) {
      pending = this.#load(model, signal);
      this.#models.set(model, pending);
      pending.catch(() => this.#models.delete(model));
    }
    return pending;
  }

  /** The model's fields; throws `CONNECTOR_TABLE_NOT_FOUND` when Tryton has no such model. */
  async get(model: string, signal: AbortSignal): Promise<TrytonModel> {
    const found = await this.find(model, signal);
    if (found === undefined)
      throw new ConnectorError('CONNECTOR_TABLE_NOT_FOUND', `Tryton has no model "${model}"`);
    return found;
  }

  async #load(model: string, signal: AbortSignal): Promise<TrytonModel | undefined> {
    let raw;
    try {
      raw = await this.#client.call(`model.${model}.fields_get`, [null], signal);
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'CONNECTOR_TABLE_NOT_FOUND') return undefined;
      throw error;
    }
    const fields = new Map<string, TrytonField>();
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw))
      for (const [name, definition] of Object.entries(raw))
        if (typeof definition === 'object' && definition !== null && !Array.isArray(definition))
          fields.set(name, toField(name, definition));
    const labels = new Map<string, string>();
    for (const field of fields.values()) if (!labels.has(field.label)) labels.set(field.label, field.name);
    const types = new Map([...fields.values()].map((field) => [field.name, field.type] as const));
    return { name: model, fields, labels, types };
  }
}

/** Field types a flow's key can be: the writer finds a record by searching its key. */
const KEY_TYPES: ReadonlySet<string> = new Set(['char', 'integer', 'bigint']);

/**
 * A model as the engine's TableSchema: every field with its kind, plus the writable virtual
 * fields the connector adds (`extra`, e.g. `address.city` of `party.party`); a required field has
 * a default when Tryton fills it (`defaults`, from `default_get`: `company` of a sale). Unique keys are `id`
 * and every writable char or integer field: the writer looks a record up by its key and writes
 * one record per key, one batch at a time per connection, so the key stays unique at the target
 * even where Tryton has no unique constraint on it (docs/tryton.md).
 */
export function describeModel(
  model: TrytonModel,
  extra: readonly TrytonField[] = [],
  defaults: ReadonlySet<string> = new Set(),
): TableSchema {
  const fields = new Map(model.fields);
  for (const field of extra) fields.set(field.name, field);
  const columns: ColumnInfo[] = [...fields.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((field) => ({
      name: field.name,
      nativeType: field.relation === undefined ? field.type : `${field.type}(${field.relation})`,
      kind: kindOf(field.type),
      nullable: !field.required,
      hasDefault: !field.required || field.readonly || defaults.has(field.name),
    }));
  const keys = [...fields.values()].filter((field) => KEY_TYPES.has(field.type) && !field.readonly);
  return { table: model.name, columns, uniqueKeys: [['id'], ...keys.map((field) => [field.name])] };
}

import type { Row } from '../../core/values.js';
import type { TrytonField } from './tryton-models.js';
import { valueAsText, type RpcValue } from './tryton-values.js';

/** The model whose virtual contact and address fields this module writes. */
export const PARTY_MODEL = 'party.party';

/**
 * Writable virtual fields of `party.party`: each maintains the party's first contact mechanism
 * of that type (lowest sequence, then id): written in place, created when the party has none,
 * deleted when the value is empty.
 */
export const CONTACT_TYPES = ['email', 'phone', 'mobile', 'fax', 'website'] as const;

/** Fields of the party's first address that `address.<field>` maintains (created when it has none). */
export const ADDRESS_FIELDS = [
  'street',
  'city',
  'postal_code',
  'name',
  'party_name',
  'country',
  'subdivision',
] as const;

const ADDRESS_PREFIX = 'address.';

/** The virtual fields as extra columns of `party.party`, so flows mapping them pass the schema check. */
export function partyVirtualFields(): TrytonField[] {
  const contact = CONTACT_TYPES.map((type) => ({
    name: type,
    type: 'char',
    label: type,
    readonly: false,
    required: false,
  }));
  const address = ADDRESS_FIELDS.map((field) => ({
    name: `${ADDRESS_PREFIX}${field}`,
    type: field === 'country' || field === 'subdivision' ? 'many2one' : field === 'street' ? 'text' : 'char',
    label: `Address ${field}`,
    readonly: false,
    required: false,
  }));
  return [...contact, ...address];
}

/** A record's values split into the party's own fields, its contact values and its address values. */
export interface PartyValues {
  readonly own: Row;
  readonly contacts: ReadonlyMap<string, string | null>;
  readonly address: Row;
}

/** Splits values of a `party.party` record; other models' values stay whole. */
export function splitPartyValues(model: string, values: Row): PartyValues {
  if (model !== PARTY_MODEL) return { own: values, contacts: new Map(), address: {} };
  const own: Row = {};
  const contacts = new Map<string, string | null>();
  const address: Row = {};
  for (const [name, value] of Object.entries(values)) {
    if ((CONTACT_TYPES as readonly string[]).includes(name))
      contacts.set(name, value === null || value === '' ? null : valueAsText(value));
    else if (name.startsWith(ADDRESS_PREFIX)) address[name.slice(ADDRESS_PREFIX.length)] = value;
    else own[name] = value;
  }
  return { own, contacts, address };
}

/** A party's existing first contact mechanism per type and first address, read before writing. */
export interface PartyChildren {
  readonly contacts: ReadonlyMap<string, number>;
  readonly address: number | undefined;
}

/**
 * One2many commands that make the party's first contact mechanism of each type hold the given
 * value, and its first address hold the given address values (`address` already encoded).
 */
export function partyCommands(
  split: PartyValues,
  address: Record<string, RpcValue>,
  children: PartyChildren | undefined,
): Record<string, RpcValue> {
  const out: Record<string, RpcValue> = {};
  const mechanisms: RpcValue[] = [];
  const created: RpcValue[] = [];
  const deleted: number[] = [];
  for (const [type, value] of split.contacts) {
    const id = children?.contacts.get(type);
    if (id !== undefined && value === null) deleted.push(id);
    else if (id !== undefined) mechanisms.push(['write', [id], { value }]);
    else if (value !== null) created.push({ type, value });
  }
  if (created.length > 0) mechanisms.push(['create', created]);
  if (deleted.length > 0) mechanisms.push(['delete', deleted]);
  if (mechanisms.length > 0) out['contact_mechanisms'] = mechanisms;
  if (Object.keys(address).length > 0) {
    const id = children?.address;
    out['addresses'] = id === undefined ? [['create', [address]]] : [['write', [id], address]];
  }
  return out;
}

import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import type { ExistingLine } from './tryton-lines.js';
import type { TrytonModel } from './tryton-models.js';
import { CONTACT_TYPES, PARTY_MODEL, type PartyChildren } from './tryton-party.js';
import type { TrytonRpcClient } from './tryton-rpc.js';
import { decodeValue, encodeValue, valueAsText, type RpcValue } from './tryton-values.js';
import { hasWorkflow, STATE_FIELD } from './tryton-workflow.js';
import type { FoundRecord, LineRelation, TargetSnapshot } from './tryton-write-plan.js';

type RpcRecord = { [key: string]: RpcValue };

/** Field types whose stored value is compared with the record's, to report `unchanged`. */
const COMPARED_TYPES: ReadonlySet<string> = new Set([
  'char',
  'text',
  'selection',
  'integer',
  'bigint',
  'float',
  'numeric',
  'boolean',
  'many2one',
  'date',
  'datetime',
  'timestamp',
]);

/** Inactive records are found too: a key held by an archived record is that record. */
const ALL_RECORDS = { active_test: false };

function records(value: RpcValue): RpcRecord[] {
  return Array.isArray(value)
    ? value.filter(
        (item): item is RpcRecord => typeof item === 'object' && item !== null && !Array.isArray(item),
      )
    : [];
}

async function searchRead(
  client: TrytonRpcClient,
  model: string,
  domain: RpcValue[],
  fields: string[],
  signal: AbortSignal,
): Promise<RpcRecord[]> {
  const order = [['id', 'ASC']];
  return records(
    await client.call(`model.${model}.search_read`, [domain, 0, null, order, fields], signal, ALL_RECORDS),
  );
}

/** The records of the batch that exist at the target, by key text (the lowest id when a key is held twice). */
async function findByKeys(
  client: TrytonRpcClient,
  target: TargetSpec,
  model: TrytonModel,
  batch: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<Map<string, FoundRecord>> {
  const keyType = model.types.get(target.key);
  const keys = [
    ...new Set(batch.map((record) => encodeValue(target.key, record.values[target.key] ?? null, keyType))),
  ];
  // The mapped scalar fields too, so records already holding their values are left unwritten.
  const compared = target.columns.filter((name) => COMPARED_TYPES.has(model.types.get(name) ?? ''));
  const fields = [
    ...new Set(['id', target.key, ...(hasWorkflow(model.name) ? [STATE_FIELD] : []), ...compared]),
  ];
  const found = new Map<string, FoundRecord>();
  for (const row of await searchRead(client, model.name, [[target.key, 'in', keys]], fields, signal)) {
    const text = valueAsText(row[target.key]);
    const state = row[STATE_FIELD];
    if (!found.has(text) && typeof row['id'] === 'number')
      found.set(text, { id: row['id'], state: typeof state === 'string' ? state : undefined, values: row });
  }
  return found;
}

async function existingLines(
  client: TrytonRpcClient,
  model: TrytonModel,
  relation: LineRelation,
  ids: readonly number[],
  signal: AbortSignal,
): Promise<Map<number, ExistingLine[]>> {
  const parentField = model.fields.get(relation.spec.name)?.relationField ?? '';
  const key = relation.spec.key;
  const fields = ['id', parentField, ...(key === undefined ? [] : [key])];
  const byParent = new Map<number, ExistingLine[]>();
  for (const row of await searchRead(
    client,
    relation.model.name,
    [[parentField, 'in', [...ids]]],
    fields,
    signal,
  )) {
    const parent = row[parentField];
    if (typeof parent !== 'number' || typeof row['id'] !== 'number') continue;
    const keyValue = key === undefined ? null : decodeValue(row[key]);
    const list = byParent.get(parent) ?? [];
    list.push({
      id: row['id'],
      key: keyValue === null || keyValue === '' ? undefined : valueAsText(keyValue),
    });
    byParent.set(parent, list);
  }
  return byParent;
}

async function partyChildren(
  client: TrytonRpcClient,
  ids: readonly number[],
  signal: AbortSignal,
): Promise<Map<number, PartyChildren>> {
  const order = [
    ['party', 'ASC'],
    ['sequence', 'ASC'],
    ['id', 'ASC'],
  ];
  const [mechanisms, addresses] = await Promise.all([
    client.call(
      'model.party.contact_mechanism.search_read',
      [
        [
          ['party', 'in', [...ids]],
          ['type', 'in', [...CONTACT_TYPES]],
        ],
        0,
        null,
        order,
        ['party', 'type'],
      ],
      signal,
    ),
    client.call(
      'model.party.address.search_read',
      [[['party', 'in', [...ids]]], 0, null, order, ['party']],
      signal,
    ),
  ]);
  const contacts = new Map<number, Map<string, number>>();
  for (const row of records(mechanisms)) {
    const party = row['party'];
    if (typeof party !== 'number' || typeof row['id'] !== 'number' || typeof row['type'] !== 'string')
      continue;
    const byType = contacts.get(party) ?? new Map<string, number>();
    if (!byType.has(row['type'])) byType.set(row['type'], row['id']);
    contacts.set(party, byType);
  }
  const firstAddress = new Map<number, number>();
  for (const row of records(addresses)) {
    const party = row['party'];
    if (typeof party === 'number' && typeof row['id'] === 'number' && !firstAddress.has(party))
      firstAddress.set(party, row['id']);
  }
  return new Map(
    ids.map((id) => [
      id,
      { contacts: contacts.get(id) ?? new Map<string, number>(), address: firstAddress.get(id) },
    ]),
  );
}

/**
 * What the batch's writes depend on, read in a few calls for the whole batch: the records by key
 * (with their state), the lines of those with lines, the contact mechanisms and first address of
 * parties whose virtual fields are mapped.
 */
export async function readSnapshot(
  client: TrytonRpcClient,
  target: TargetSpec,
  model: TrytonModel,
  batch: readonly TargetRecord[],
  relations: readonly LineRelation[],
  signal: AbortSignal,
): Promise<TargetSnapshot> {
  const found =
    batch.length === 0
      ? new Map<string, FoundRecord>()
      : await findByKeys(client, target, model, batch, signal);
  const ids = [...found.values()].map((record) => record.id);
  const lines = new Map<string, Map<number, ExistingLine[]>>();
  if (ids.length > 0)
    for (const relation of relations)
      lines.set(relation.spec.name, await existingLines(client, model, relation, ids, signal));
  const party =
    ids.length > 0 && model.name === PARTY_MODEL
      ? await partyChildren(client, ids, signal)
      : new Map<number, PartyChildren>();
  return { found, lines, party };
}

import { trytonConnector } from '../../../src/connectors/tryton/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Row, ScalarValue, Value } from '../../../src/core/values.js';
import type {
  ConnectorHarness,
  HarnessLine,
  ObjectSpec,
  PreparedObject,
  Unsupported,
} from '../../conformance/connector-harness.js';
import { CURSOR_FIELD, LINE_FIELDS, RECORD_FIELDS } from '../../conformance/portable-specs.js';
import { startTestTryton, type TestTryton, type TrytonAdmin } from '../../support/tryton.js';

/**
 * The Tryton connector on its own Tryton 6.0 (test/support/tryton.ts), for the conformance suite.
 *
 * Tryton holds the portable record (a text key `code`, a `name`, a cursor, lines) on models it
 * already has; it has no model whose id a flow could set, so the table cases' specs (an `id` key,
 * a `version` cursor, …) are answered `unsupported`:
 * - a record without lines: `account.tax.code` (`code`, `name`; Tryton requires `name`, so a record
 *   without one is refused with Tryton's own message). Its model is empty in a fresh database, so
 *   a source reading the whole model sees only the case's records.
 * - a record with lines: `party.party` (`code`, `name`) with its addresses as lines (`addresses`
 *   of `party.address`, keyed by the address's `name`, `street` as the description, `sequence` as
 *   the integer). A sale cannot be written from the portable record: Tryton requires its party,
 *   and a sale line its unit and price, which the spec does not carry; a contact mechanism needs
 *   its type and a valid value (a phone by default).
 * - the cursor is `write_date`, which Tryton moves on every write.
 * Each prepared object starts empty: records earlier cases left in the model are deleted, and
 * `readAll` leaves out the records of the fresh database (the company's parties).
 */

interface Mapping {
  readonly model: string;
  readonly lineModel?: string;
}

const TAX_CODE: Mapping = { model: 'account.tax.code' };
const PARTY: Mapping = { model: 'party.party', lineModel: 'party.address' };
const LINE_NAMES: Readonly<Record<string, string>> = {
  line_code: 'name',
  description: 'street',
  quantity: 'sequence',
};
const CURSOR = 'write_date';

type Json = Awaited<ReturnType<TrytonAdmin['call']>>;

/** Why the harness cannot hold `spec` on a Tryton model, or undefined when it can. */
function whyUnsupported(spec: ObjectSpec): string | undefined {
  const portable = new Set([...RECORD_FIELDS.map((field) => field.name), CURSOR_FIELD.name]);
  const foreign = spec.fields.filter((field) => !portable.has(field.name)).map((field) => field.name);
  if (spec.key !== 'code' || foreign.length > 0)
    return `the harness maps only the portable record (code, name, a cursor, lines) onto Tryton models, not key ${spec.key} with ${foreign.join(', ')} (Tryton gives every record an id of its own, which no flow sets)`;
  if (spec.cursor !== undefined && spec.cursor !== CURSOR_FIELD.name)
    return `the cursor ${spec.cursor} is not the portable one (${CURSOR_FIELD.name} → write_date)`;
  const lines = spec.lines ?? [];
  const lineNames = new Set(LINE_FIELDS.map((field) => field.name));
  if (
    lines.length > 1 ||
    lines.some((line) => line.key !== 'line_code' || line.fields.some((field) => !lineNames.has(field.name)))
  )
    return 'the harness maps one line relation of the portable line fields only';
  const nameRequired = spec.fields.some((field) => field.name === 'name' && field.nullable === false);
  if (lines.length > 0 && nameRequired)
    return 'a party (the record with lines) does not require a name, so Tryton would not refuse a record without one';
  return undefined;
}

/** Tryton's JSON datetime (`{__class__: 'datetime', …}`) as a canonical ISO instant; other values as they are. */
function canonical(value: Json | undefined): Value {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value) && value['__class__'] === 'datetime') {
    const part = (name: string, width = 2): string => {
      const number = value[name];
      return String(typeof number === 'number' ? number : 0).padStart(width, '0');
    };
    return `${part('year', 4)}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}.${part('microsecond', 6)}Z`;
  }
  return value;
}

/** A code or key as text, for ordering as the suite does. */
function text(value: Json | Value | undefined): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function recordValues(object: PreparedObject, row: Row): Record<string, Json> {
  const values: Record<string, Json> = {};
  for (const [name, value] of Object.entries(row))
    if (name !== object.spec.cursor) values[object.fields[name] ?? name] = value as Json;
  return values;
}

/** A fresh Tryton server of this test file, the connector on it, and the harness's admin client. */
export async function createTrytonHarness(): Promise<ConnectorHarness> {
  const tryton: TestTryton = await startTestTryton();
  const { admin } = tryton;
  const connector = trytonConnector.create(
    trytonConnector.configSchema.parse({ type: 'tryton', url: tryton.url, user: 'admin', password: 'admin' }),
    { name: 'tryton-conformance', logger: silentLogger },
  );
  // The records of the fresh database (the company's parties) are not the cases'.
  const pristine = new Map<string, number[]>();
  for (const mapping of [TAX_CODE, PARTY])
    pristine.set(
      mapping.model,
      (await admin.searchRead(mapping.model, [], ['id'])).map((row) => Number(row['id'])),
    );
  const mappingOf = (object: PreparedObject): Mapping => (object.lines === undefined ? TAX_CODE : PARTY);
  const ownDomain = (model: string): Json[] => [['id', 'not in', pristine.get(model) ?? []]];

  async function idsOf(model: string, domain: Json[]): Promise<number[]> {
    const rows = await admin.searchRead(model, [...ownDomain(model), ...domain], ['id']);
    return rows.map((row) => Number(row['id']));
  }
  async function deleteAll(model: string, ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await admin.call(`model.${model}.delete`, [[...ids]]);
  }

  return {
    connector,

    async prepareObject(spec: ObjectSpec): Promise<PreparedObject | Unsupported> {
      const why = whyUnsupported(spec);
      if (why !== undefined) return { unsupported: why };
      const mapping = spec.lines === undefined ? TAX_CODE : PARTY;
      await deleteAll(mapping.model, await idsOf(mapping.model, []));
      const fields: Record<string, string> = { code: 'code', name: 'name' };
      if (spec.cursor !== undefined) fields[spec.cursor] = CURSOR;
      const relation = spec.lines?.[0];
      return {
        spec,
        object: mapping.model,
        fields,
        recordIds: true,
        ...(relation === undefined
          ? {}
          : {
              lines: {
                [relation.name]: { relation: 'addresses', fields: LINE_NAMES, key: 'name' },
              },
            }),
      };
    },

    async seed(object, rows) {
      if (rows.length === 0) return;
      const model = mappingOf(object).model;
      await admin.call(`model.${model}.create`, [rows.map((row) => recordValues(object, row))]);
    },

    async update(object, key: ScalarValue, values) {
      const model = mappingOf(object).model;
      const ids = await idsOf(model, [['code', '=', String(key)]]);
      if (ids.length !== 1) throw new Error(`${model}: ${ids.length} records with code ${String(key)}`);
      await admin.call(`model.${model}.write`, [ids, recordValues(object, values)]);
    },

    async remove(object, keys) {
      const model = mappingOf(object).model;
      await deleteAll(model, await idsOf(model, [['code', 'in', keys.map(String)]]));
    },

    async readAll(object) {
      const model = mappingOf(object).model;
      const names = Object.entries(object.fields);
      const rows = await admin.searchRead(model, ownDomain(model), [
        'code',
        ...names.map(([, name]) => name),
      ]);
      return rows
        .map((row) => Object.fromEntries(names.map(([suite, name]) => [suite, canonical(row[name])])))
        .sort((a, b) => text(a['code']).localeCompare(text(b['code'])));
    },

    async readLines(object, relation) {
      const prepared = object.lines?.[relation];
      const { model, lineModel } = mappingOf(object);
      if (prepared === undefined || lineModel === undefined)
        throw new Error(`${object.object} has no line relation ${relation}`);
      const parents = await admin.searchRead(model, ownDomain(model), ['code']);
      const codes = new Map(parents.map((row) => [Number(row['id']), text(row['code'])]));
      const names = Object.entries(prepared.fields);
      const rows = await admin.searchRead(
        lineModel,
        [['party', 'in', [...codes.keys()]]],
        ['party', ...names.map(([, name]) => name)],
      );
      const lines: HarnessLine[] = rows.map((row) => ({
        parent: codes.get(Number(row['party'])) ?? '?',
        row: Object.fromEntries(names.map(([suite, name]) => [suite, canonical(row[name])])),
      }));
      return lines.sort(
        (a, b) =>
          text(a.parent).localeCompare(text(b.parent)) ||
          text(a.row['line_code']).localeCompare(text(b.row['line_code'])),
      );
    },

    async close() {
      try {
        await connector.close();
      } finally {
        await tryton.stop();
      }
    },
  };
}

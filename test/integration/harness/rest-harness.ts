import type { Connector } from '../../../src/core/connector.js';
import { valueText, type Row, type ScalarValue, type Value } from '../../../src/core/values.js';
import type {
  ConnectorHarness,
  ObjectSpec,
  PortableType,
  PreparedObject,
  Unsupported,
} from '../../conformance/connector-harness.js';
import { restConnector } from '../../support/rest-api-fixture.js';
import { RestApiServer } from '../../support/rest-api-server.js';
import { crmObjects, defineCrmObject, text, tick, type CrmRecord } from '../../support/rest-api-state.js';

/**
 * The REST connector's conformance harness, on the test API's HubSpot CRM v3 objects
 * (test/support/rest-api-hubspot.ts). Each spec becomes a fresh custom object type named as the
 * spec (`/crm/v3/objects/cf_outcomes`) whose `requiredProperties` are the spec's `nullable: false`
 * fields, so HubSpot's batch upsert refuses an input without one in its 207 Multi-Status answer.
 *
 * A field is a HubSpot property, so its system name is its JSON path `properties.<name>` (HubSpot
 * keeps the object's own `id` beside them); the spec's cursor is the record's `updatedAt`, which
 * HubSpot moves on every change. The connection's `objects:` entry per spec lists by `after`
 * tokens, gets by `idProperty` and writes by `batch/upsert` keyed by the spec's key property, with
 * per-record results (`new`) and errors (`context.ids`). As a config reload would, each prepared
 * object builds a new connector holding every object prepared so far (`connector` is the newest).
 *
 * Seeds, updates, removals and reads go to the server's state directly, as HubSpot's own users
 * (its UI) would change records, not through the connector.
 */

/** HubSpot property types (string, number, date, datetime, bool, enumeration): no JSON property. */
const UNSUPPORTED_TYPES: ReadonlySet<PortableType> = new Set(['json']);

const TOKEN = 'test-token';

interface Prepared {
  readonly object: PreparedObject;
  /** The spec's key property (HubSpot's `idProperty` of the upserts). */
  readonly keyProperty: string;
}

/** A property value (text) as the spec's type wants it, canonical (values.ts). */
function canonical(value: string | null | undefined, type: PortableType): Value {
  if (value === null || value === undefined) return null;
  if (type === 'bigint' || type === 'integer') return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}

class RestHarness implements ConnectorHarness {
  readonly #api: RestApiServer;
  readonly #objects: Record<string, unknown> = {};
  readonly #prepared = new Map<string, Prepared>();
  readonly #connectors: Connector[] = [];
  #connector: Connector;

  constructor(api: RestApiServer) {
    this.#api = api;
    this.#connector = this.#newConnector();
  }

  get connector(): Connector {
    return this.#connector;
  }

  prepareObject(spec: ObjectSpec): Promise<PreparedObject | Unsupported> {
    const unsupported = spec.fields.find((field) => UNSUPPORTED_TYPES.has(field.type));
    if (unsupported !== undefined)
      return Promise.resolve({
        unsupported: `HubSpot has no ${unsupported.type} property type (field ${unsupported.name})`,
      });
    if (spec.lines !== undefined)
      return Promise.resolve({ unsupported: 'a HubSpot object holds no line relations' });
    const fields: Record<string, string> = {};
    for (const field of spec.fields)
      fields[field.name] = field.name === spec.cursor ? 'updatedAt' : `properties.${field.name}`;
    const required = spec.fields.filter((field) => field.nullable === false).map((field) => field.name);
    defineCrmObject(this.#api.state, spec.name, required);
    const properties = spec.fields.filter((field) => field.name !== spec.cursor).map((field) => field.name);
    const query = { properties: properties.join(',') };
    const path = `/crm/v3/objects/${spec.name}`;
    this.#objects[spec.name] = {
      path,
      list: {
        query,
        records: 'results',
        pagination: { style: 'cursor', param: 'after', next: 'paging.next.after' },
        pageSize: { param: 'limit', value: 100 },
      },
      get: { path: `${path}/{key}`, query: { ...query, idProperty: spec.key } },
      write: {
        mode: 'batch',
        upsert: { method: 'POST', path: `${path}/batch/upsert` },
        records: 'inputs',
        record: { id: '{key}', idProperty: spec.key },
        size: 100,
        results: { path: 'results', key: `properties.${spec.key}`, id: 'id', created: 'new' },
        errors: { path: 'errors', key: 'context.ids', message: 'message', field: 'errors[0].in' },
      },
    };
    this.#connector = this.#newConnector();
    const object: PreparedObject = { spec, object: spec.name, fields, recordIds: true };
    this.#prepared.set(spec.name, { object, keyProperty: spec.key });
    return Promise.resolve(object);
  }

  seed(object: PreparedObject, rows: readonly Row[]): Promise<void> {
    const records = crmObjects(this.#api.state, object.object);
    for (const row of rows) {
      const id = String((this.#api.state.nextId += 1));
      const at = tick(this.#api.state);
      records.set(id, {
        id,
        properties: {
          ...this.#properties(object, row),
          hs_object_id: id,
          createdate: at,
          hs_lastmodifieddate: at,
        },
        createdAt: at,
        updatedAt: at,
        archived: false,
      });
    }
    return Promise.resolve();
  }

  update(object: PreparedObject, key: ScalarValue, values: Row): Promise<void> {
    const record = this.#find(object, key);
    if (record === undefined) throw new Error(`no record ${String(key)} in ${object.object} to update`);
    const at = tick(this.#api.state);
    Object.assign(record.properties, this.#properties(object, values), { hs_lastmodifieddate: at });
    record.updatedAt = at;
    return Promise.resolve();
  }

  remove(object: PreparedObject, keys: readonly ScalarValue[]): Promise<void> {
    const records = crmObjects(this.#api.state, object.object);
    for (const key of keys) {
      const record = this.#find(object, key);
      if (record !== undefined) records.delete(record.id);
    }
    return Promise.resolve();
  }

  readAll(object: PreparedObject): Promise<Row[]> {
    const { keyProperty } = this.#preparedOf(object);
    const records = [...crmObjects(this.#api.state, object.object).values()]
      .filter((record) => !record.archived)
      .sort((a, b) => compareText(a.properties[keyProperty] ?? '', b.properties[keyProperty] ?? ''));
    return Promise.resolve(
      records.map((record) => {
        const row: Row = {};
        for (const field of object.spec.fields)
          row[field.name] =
            field.name === object.spec.cursor
              ? Date.parse(record.updatedAt)
              : canonical(record.properties[field.name], field.type);
        return row;
      }),
    );
  }

  async close(): Promise<void> {
    for (const connector of this.#connectors) await connector.close();
    await this.#api.close();
  }

  #newConnector(): Connector {
    const connector = restConnector({
      url: this.#api.url,
      auth: { type: 'bearer', token: TOKEN },
      objects: { ...this.#objects },
    });
    this.#connectors.push(connector);
    return connector;
  }

  #preparedOf(object: PreparedObject): Prepared {
    const prepared = this.#prepared.get(object.object);
    if (prepared === undefined) throw new Error(`the REST harness prepared no object ${object.object}`);
    return prepared;
  }

  /** A row's properties as HubSpot stores them (text), the cursor left to `updatedAt`. */
  #properties(object: PreparedObject, row: Row): Record<string, string | null> {
    const properties: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(row))
      if (name !== object.spec.cursor) properties[name] = value === null ? null : text(value);
    return properties;
  }

  #find(object: PreparedObject, key: ScalarValue): CrmRecord | undefined {
    const { keyProperty } = this.#preparedOf(object);
    return [...crmObjects(this.#api.state, object.object).values()].find(
      (record) => record.properties[keyProperty] === valueText(key),
    );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A harness on a fresh test API server (its own port and state). */
export async function createRestHarness(): Promise<ConnectorHarness> {
  const api = new RestApiServer({ mode: 'bearer', token: TOKEN });
  await api.listen();
  return new RestHarness(api);
}

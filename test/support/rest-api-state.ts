// The data the test API holds (test/support/rest-api-server.ts), shared by its routes.

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  state: 'open' | 'closed';
  updated_at: string;
}

export interface Product {
  sku: string;
  name: string;
  price: string;
  stock: number;
  updated: string;
}

/**
 * A HubSpot custom object schema (CRM custom objects API, `POST /crm/v3/schemas`): the properties
 * a record must have (`requiredProperties`). Test-only: the harness defines it server-side
 * (`defineCrmObject`) instead of through the schemas endpoint.
 */
export interface CrmSchema {
  readonly requiredProperties: readonly string[];
}

export interface ApiState {
  readonly crm: Map<string, Map<string, CrmRecord>>;
  /** Custom object schemas by object type; a type without one requires nothing. */
  readonly schemas: Map<string, CrmSchema>;
  readonly issues: Issue[];
  readonly products: Map<string, Product>;
  readonly orders: Record<string, unknown>[];
  /** Tables of the original table protocol, by name, each by key. */
  readonly tables: Map<string, Map<string, Record<string, unknown>>>;
  nextId: number;
  /** The last timestamp handed out, epoch ms: each change gets a later one. */
  clock: number;
}

/** A timestamp later than every one before it, ISO 8601 with milliseconds. */
export function tick(state: ApiState): string {
  state.clock = Math.max(Date.now(), state.clock + 1);
  return new Date(state.clock).toISOString();
}

/** The records of a HubSpot object type, created on first use. */
export function crmObjects(state: ApiState, type: string): Map<string, CrmRecord> {
  let records = state.crm.get(type);
  if (records === undefined) {
    records = new Map();
    state.crm.set(type, records);
  }
  return records;
}

/**
 * Test-only: (re)defines a custom object type with these required properties and no records, as
 * the conformance harness needs a fresh, empty object per case (test/integration/harness/rest-harness.ts).
 */
export function defineCrmObject(state: ApiState, type: string, requiredProperties: readonly string[]): void {
  state.crm.set(type, new Map());
  state.schemas.set(type, { requiredProperties });
}

export const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A JSON value as HubSpot stores a property: text. */
export function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

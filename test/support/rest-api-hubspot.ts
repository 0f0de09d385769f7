import type { RouteAnswer } from './rest-api-server.js';
import { crmObjects, DECIMAL, text, tick, type ApiState, type CrmRecord } from './rest-api-state.js';

// /crm/v3/objects/{object}: HubSpot CRM API v3 "Objects" (developers.hubspot.com/docs/api/crm/objects):
//   list with `limit` (default 10, max 100), `after` and `properties`, answering
//   `{results, paging: {next: {after, link}}}` ordered by id, property values as strings,
//   `updatedAt` ISO 8601; GET by id with `idProperty`; POST …/batch/upsert with
//   `{inputs: [{id, idProperty, properties}]}` answering 200 `{status: "COMPLETE", results}` (each
//   result with `new`), or 207 Multi-Status with `errors: [{status, category, message,
//   context: {ids}, errors: [{message, code, in}]}]` for the inputs it refused, 400 when all fail.
// Custom objects (developers.hubspot.com/docs/api/crm/crm-custom-objects): a schema's
//   `requiredProperties` must have a value when a record is created, and cannot be cleared (set to
//   null or '') on an update; an input breaking that is refused like an invalid property value.

/** HubSpot validates number properties; `amount` is one. */
function invalidProperty(
  properties: Record<string, unknown>,
  required: readonly string[],
  isNew: boolean,
): { name: string; message: string; code: string } | undefined {
  for (const name of required) {
    const value = properties[name];
    const isEmpty = value === null || value === '' || (value === undefined && isNew);
    if (isEmpty)
      return { name, message: `${name} is a required property and has no value.`, code: 'REQUIRED' };
  }
  const amount = properties.amount;
  if (amount !== undefined && amount !== null && amount !== '' && !DECIMAL.test(text(amount)))
    return { name: 'amount', message: `${text(amount)} was not a valid number.`, code: 'INVALID_DOUBLE' };
  return undefined;
}

export function handleCrmRoute(
  state: ApiState,
  method: string,
  url: URL,
  body: unknown,
): RouteAnswer | undefined {
  const match = /^\/crm\/v3\/objects\/([a-z_]+)(?:\/(batch\/upsert|[^/]+))?$/.exec(url.pathname);
  if (match === null) return undefined;
  const records = crmObjects(state, match[1] ?? '');
  const rest = match[2];
  if (method === 'GET' && rest === undefined) {
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 10));
    const after = Number(url.searchParams.get('after') ?? 0);
    const wanted = url.searchParams.get('properties')?.split(',');
    const sorted = [...records.values()]
      .filter((record) => !record.archived && Number(record.id) > after)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = sorted.slice(0, limit);
    const last = page.at(-1);
    const next =
      sorted.length > limit && last !== undefined
        ? { next: { after: last.id, link: `${url.pathname}?after=${last.id}` } }
        : undefined;
    return {
      status: 200,
      body: {
        results: page.map((record) => view(record, wanted)),
        ...(next === undefined ? {} : { paging: next }),
      },
    };
  }
  if (method === 'GET' && rest !== undefined && rest !== 'batch/upsert') {
    const idProperty = url.searchParams.get('idProperty');
    const found = [...records.values()].find((record) =>
      idProperty === null ? record.id === rest : record.properties[idProperty] === rest,
    );
    return found === undefined
      ? { status: 404, body: { status: 'error', message: 'Object not found.', category: 'OBJECT_NOT_FOUND' } }
      : { status: 200, body: view(found, url.searchParams.get('properties')?.split(',')) };
  }
  if (method === 'POST' && rest === 'batch/upsert')
    return batchUpsert(state, records, state.schemas.get(match[1] ?? '')?.requiredProperties ?? [], body);
  return { status: 405, body: { status: 'error', message: `${method} not allowed` } };
}

function view(record: CrmRecord, wanted: string[] | undefined): CrmRecord {
  if (wanted === undefined) return record;
  const always = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'];
  const properties = Object.fromEntries(
    Object.entries(record.properties).filter(([name]) => wanted.includes(name) || always.includes(name)),
  );
  return { ...record, properties };
}

function batchUpsert(
  state: ApiState,
  records: Map<string, CrmRecord>,
  required: readonly string[],
  body: unknown,
): RouteAnswer {
  const inputs =
    (body as { inputs?: { id?: unknown; idProperty?: unknown; properties?: Record<string, unknown> }[] })
      .inputs ?? [];
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const id = String(input.id);
    const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
    const properties = input.properties ?? {};
    const existing =
      idProperty === undefined
        ? undefined
        : [...records.values()].find((record) => record.properties[idProperty] === id);
    const invalid = invalidProperty(
      idProperty === undefined ? properties : { ...properties, [idProperty]: id },
      required,
      existing === undefined,
    );
    if (invalid !== undefined || idProperty === undefined) {
      const message =
        invalid === undefined
          ? 'idProperty is required for upsert'
          : `Property values were not valid: ${invalid.message}`;
      errors.push({
        status: 'error',
        category: 'VALIDATION_ERROR',
        message,
        context: { ids: [id] },
        errors: [
          {
            message: invalid?.message ?? message,
            code: invalid?.code ?? 'REQUIRED',
            in: invalid?.name ?? 'idProperty',
          },
        ],
      });
      continue;
    }
    const now = tick(state);
    const strings = Object.fromEntries(
      Object.entries(properties).map(([name, value]) => [name, value === null ? null : text(value)]),
    );
    if (existing === undefined) {
      const objectId = String((state.nextId += 1));
      const created: CrmRecord = {
        id: objectId,
        properties: {
          ...strings,
          [idProperty]: id,
          hs_object_id: objectId,
          createdate: now,
          hs_lastmodifieddate: now,
        },
        createdAt: now,
        updatedAt: now,
        archived: false,
      };
      records.set(objectId, created);
      results.push({ ...created, new: true });
    } else {
      Object.assign(existing.properties, strings, { hs_lastmodifieddate: now });
      existing.updatedAt = now;
      results.push({ ...existing, new: false });
    }
  }
  const at = new Date(state.clock).toISOString();
  if (errors.length > 0 && results.length === 0)
    return {
      status: 400,
      body: { status: 'error', category: 'VALIDATION_ERROR', message: 'All inputs were invalid', errors },
    };
  return {
    status: errors.length > 0 ? 207 : 200,
    body: {
      status: 'COMPLETE',
      results,
      ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
      requestedAt: at,
      startedAt: at,
      completedAt: at,
    },
  };
}

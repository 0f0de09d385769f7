import { z } from 'zod';
import { jsonPathProblem } from './rest-json-path.js';

/** A dotted JSON path (`results`, `paging.next.after`); the empty string is the whole body. */
export const jsonPath = z.string().superRefine((path, context) => {
  const problem = jsonPathProblem(path);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** A URL path below the base URL, with `{key}` where the record's key goes. */
const urlPath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9._~!$&'()*+,;=:@%{}/-]*$/,
    'must be a path starting with "/", such as /crm/v3/objects/deals/{key}',
  )
  .refine((path) => !path.split('/').includes('..'), { message: 'must not hold a ".." segment' });

const queryValues = z.record(z.string(), z.string());

/** How the pages of a list are requested. */
const pagination = z.discriminatedUnion('style', [
  z.strictObject({ style: z.literal('none') }),
  /** `?page=1,2,…` until a page holds fewer records than the page size (or none). */
  z.strictObject({
    style: z.literal('page'),
    param: z.string().default('page'),
    first: z.number().int().default(1),
  }),
  /** `?offset=0,100,…` by the records read so far, until a short page. */
  z.strictObject({ style: z.literal('offset'), param: z.string().default('offset') }),
  /** A token from the body (`next`, a JSON path) sent back as the query parameter `param`, until it is absent. */
  z.strictObject({ style: z.literal('cursor'), param: z.string().default('after'), next: jsonPath }),
  /** The URL of the `Link: <…>; rel="next"` header (RFC 8288), until there is none. */
  z.strictObject({ style: z.literal('link') }),
]);

/** The list endpoint of an object: how a source reads it. */
const listSchema = z.strictObject({
  /** Path of the list; default the object's `path`. */
  path: urlPath.optional(),
  /** Query parameters sent with every list request (`properties: dealname,amount`). */
  query: queryValues.optional(),
  /** JSON path of the array of records in the body; '' (default) when the body is the array. */
  records: jsonPath.default(''),
  pagination: pagination.default({ style: 'none' }),
  /** Page size: the query parameter that sets it and its value. */
  pageSize: z
    .strictObject({ param: z.string(), value: z.number().int().min(1).max(10_000).default(100) })
    .optional(),
  /**
   * The modified-since filter: query parameter `param` set to `template` with `{since}` replaced by
   * the checkpoint's cursor value minus the lookback, written in `format`. Without it, each cycle
   * lists everything and records older than the checkpoint are skipped here.
   */
  since: z
    .strictObject({
      param: z.string(),
      template: z.string().default('{since}'),
      format: z.enum(['iso', 'epochMs', 'epochSeconds']).default('iso'),
    })
    .optional(),
  /** `cursor`: the API lists records in ascending cursor order, so checkpoints advance page by page. */
  order: z.enum(['cursor', 'none']).default('none'),
});

/** One request of a write: its method and path template. */
const endpoint = (methods: readonly [string, ...string[]]) =>
  z.strictObject({
    method: z.enum(methods),
    path: urlPath,
    /** Query parameters of the request. */
    query: queryValues.optional(),
  });

/** Where a batch answer names each record's result and error (HubSpot: `results`, `errors`). */
const batchResults = z.strictObject({
  /** JSON path of the array of results. */
  path: jsonPath.default('results'),
  /** JSON path, in a result, of the record's key (as written). */
  key: jsonPath,
  /** JSON path, in a result, of the system's own id of the record. */
  id: jsonPath.optional(),
  /** JSON path, in a result, of a boolean that is true when the record was created. */
  created: jsonPath.optional(),
});
const batchErrors = z.strictObject({
  path: jsonPath.default('errors'),
  /** JSON path, in an error, of the key (or array of keys) it is about. */
  key: jsonPath,
  /** JSON path of the system's message. */
  message: jsonPath.default('message'),
  /** JSON path of the field at fault (a name or an array of names). */
  field: jsonPath.optional(),
});

const writeSchema = z.discriminatedUnion('mode', [
  /** The original protocol: `PUT {url}/{object}` with `{key, records}`, `POST …/delete` with `{key, keys}`. */
  z.strictObject({ mode: z.literal('table'), idempotencyKey: z.boolean().default(true) }),
  /** One request per record. */
  z.strictObject({
    mode: z.literal('single'),
    /** Creates or replaces the record of `{key}` (PUT /items/{key}); 201 means created. */
    upsert: endpoint(['PUT', 'PATCH', 'POST']),
    /** Sets some fields of an existing record (two-way flows, write-back); 404 means not found. */
    update: endpoint(['PATCH', 'PUT', 'POST']).optional(),
    /** Deletes the record of `{key}`; 404 means not found. */
    delete: endpoint(['DELETE', 'POST']).optional(),
    /** JSON path of the system's id of the record in the answer. */
    id: jsonPath.optional(),
    /** JSON paths of the message and field in an error answer. */
    errors: z.strictObject({ message: jsonPath.optional(), field: jsonPath.optional() }).optional(),
    idempotencyKey: z.boolean().default(true),
  }),
  /** One request per batch of records, with per-record results read from the answer. */
  z.strictObject({
    mode: z.literal('batch'),
    upsert: endpoint(['POST', 'PUT', 'PATCH']),
    delete: endpoint(['POST', 'DELETE']).optional(),
    /** JSON path of the array of records in the request body. */
    records: jsonPath.default('inputs'),
    /** Fixed members of each record in the request (`{key}` is replaced by the record's key). */
    record: z.record(z.string(), z.string()).optional(),
    /** Records per request at most; a larger batch is sent in several. */
    size: z.number().int().min(1).max(10_000).default(100),
    results: batchResults.optional(),
    errors: batchErrors.optional(),
    idempotencyKey: z.boolean().default(true),
  }),
]);

/** Reads of single records by key (`readByKeys`): a GET per key, or the list filtered by keys. */
const getSchema = z.union([
  z.strictObject({
    /** `GET` path template per key (`/crm/v3/objects/deals/{key}`); 404 means absent. */
    path: urlPath,
    query: queryValues.optional(),
    /** JSON path of the record in the answer; '' (default) for the whole body. */
    record: jsonPath.default(''),
  }),
  z.strictObject({
    /** List query parameter holding several keys (`?ids=1,2,3`). */
    param: z.string(),
    separator: z.string().default(','),
  }),
]);

/** One object of a REST connection (`objects.<name>`). */
export const restObjectSchema = z.strictObject({
  /** Its path below the base URL; default the object's name when it starts with "/", else "/<name>". */
  path: urlPath.optional(),
  list: listSchema.optional(),
  get: getSchema.optional(),
  /** Field name → JSON path of the value in a record (`amount: properties.amount`). */
  fields: z.record(z.string(), jsonPath).optional(),
  write: writeSchema.optional(),
});

/** A validated `objects.<name>` entry of a REST connection. */
export type RestObjectConfig = z.output<typeof restObjectSchema>;
export type RestListConfig = z.output<typeof listSchema>;
export type RestWriteConfig = z.output<typeof writeSchema>;
export type RestGetConfig = z.output<typeof getSchema>;

import { isPlainIdentifier } from '../../config/identifiers.js';
import type { RestConfig } from './rest-config.js';
import { jsonPathProblem } from './rest-json-path.js';
import type { RestGetConfig, RestListConfig, RestWriteConfig } from './rest-object-config.js';

/** An object of a REST connection, its defaults applied. */
export interface RestObject {
  /** The name flows give it (`source.table`, `target.table`). */
  readonly name: string;
  /** Its path below the base URL. */
  readonly path: string;
  readonly list: RestListConfig;
  readonly get: RestGetConfig | undefined;
  readonly write: RestWriteConfig;
  /** The JSON path of a field: its alias in `fields`, else the field name itself. */
  fieldPath(field: string): string;
}

const DEFAULT_LIST: RestListConfig = { records: '', pagination: { style: 'none' }, order: 'none' };
const DEFAULT_WRITE: RestWriteConfig = { mode: 'table', idempotencyKey: true };
const PATH = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+\/?$/;

/** Why `name` cannot name an object of a connection with these `objects`, or undefined when it can. */
export function objectNameProblem(name: string, objects: RestConfig['objects']): string | undefined {
  if (objects?.[name] !== undefined) return undefined;
  if (name.startsWith('/')) {
    if (!PATH.test(name) || name.split('/').includes('..'))
      return `${JSON.stringify(name)} is not a URL path (segments of letters, digits and -._~!$&'()*+,;=:@%, no "..", no query)`;
    return undefined;
  }
  if (isPlainIdentifier(name, { qualified: true })) return undefined;
  return `${JSON.stringify(name)} is neither an object of the connection's "objects", nor a path such as /crm/v3/objects/deals, nor a plain name (below the base URL)`;
}

/** Whether a name holds a control character (line breaks, tabs, NUL…): no API field is named with one. */
function hasControlCharacter(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Why `name` cannot name a field: a dotted JSON path (`properties.amount`) or an alias of some
 * object's `fields`, without control characters (a line break in a name is a mistake, and would
 * split the log lines and messages that name it).
 */
export function fieldNameProblem(name: string, objects: RestConfig['objects']): string | undefined {
  if (name === '') return 'a field name must not be empty';
  if (hasControlCharacter(name))
    return `${JSON.stringify(name)} holds a control character (a line break, tab or the like); a field name is a JSON path such as properties.amount`;
  if (Object.values(objects ?? {}).some((object) => object.fields?.[name] !== undefined)) return undefined;
  return jsonPathProblem(name);
}

/** The object a flow names, from the connection's `objects` or by its path (refused when neither). */
export function resolveObject(name: string, objects: RestConfig['objects']): RestObject | string {
  const problem = objectNameProblem(name, objects);
  if (problem !== undefined) return problem;
  const config = objects?.[name];
  const fields = config?.fields ?? {};
  const path =
    config?.path ?? (name.startsWith('/') ? name.replace(/\/$/, '') : `/${encodeURIComponent(name)}`);
  return {
    name,
    path,
    list: config?.list ?? DEFAULT_LIST,
    get: config?.get,
    write: config?.write ?? DEFAULT_WRITE,
    fieldPath: (field) => fields[field] ?? field,
  };
}

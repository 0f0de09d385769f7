import type { TestContext } from 'vitest';
import type { ConnectorCapabilities } from '../../src/core/connector.js';
import type {
  ConnectorHarness,
  ObjectSpec,
  PortableColumn,
  PreparedObject,
  SqlExtras,
} from './connector-harness.js';

/** What every group of conformance cases is handed: the live harness, made in `beforeAll`. */
export interface ConformanceContext {
  /** The harness of the connector under test; available inside test bodies only. */
  readonly harness: () => ConnectorHarness;
}

/** A signal that is never aborted, for calls the cases do not mean to stop. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** Skips the running case unless the connector declares every one of these capabilities. */
export function requireCapabilities(
  test: TestContext,
  context: ConformanceContext,
  ...capabilities: (keyof ConnectorCapabilities)[]
): void {
  const missing = capabilities.filter((capability) => !context.harness().connector.capabilities[capability]);
  test.skip(missing.length > 0, `the connector does not declare ${missing.join(', ')}`);
}

/** Skips the running case unless the harness declares SQL access (`ConnectorHarness.sql`). */
export function requireSql(test: TestContext, context: ConformanceContext): SqlExtras {
  const sql = context.harness().sql;
  test.skip(sql === undefined, 'the harness declares no SQL access (sql)');
  if (sql === undefined) throw new Error('unreachable: skipped');
  return sql;
}

/**
 * Which names a case needs kept: `fields`, when it compares what the connector returns by the
 * suite's own field names; `object and fields`, when it also names the object itself (digests).
 */
export type SameNames = 'fields' | 'object and fields';

/**
 * Prepares an object for the running case, or skips it with the harness's reason, or because the
 * harness renamed what the case needs kept (`sameNames`).
 */
export async function prepare(
  test: TestContext,
  context: ConformanceContext,
  spec: ObjectSpec,
  options: { readonly sameNames?: SameNames } = {},
): Promise<PreparedObject> {
  const prepared = await context.harness().prepareObject(spec);
  if ('unsupported' in prepared) {
    test.skip(true, `the harness cannot offer ${spec.name}: ${prepared.unsupported}`);
    throw new Error('unreachable: skipped');
  }
  if (options.sameNames !== undefined) {
    const renamed = spec.fields.filter((field) => prepared.fields[field.name] !== field.name);
    test.skip(
      renamed.length > 0,
      `the harness renames fields of ${spec.name}, and this case reads by the suite's names`,
    );
    test.skip(
      options.sameNames === 'object and fields' && prepared.object !== spec.name,
      `the harness names ${spec.name} ${prepared.object}, and this case names it ${spec.name}`,
    );
  }
  return prepared;
}

/** `prepare` of a table-like spec whose field names must be kept (the table cases' shape). */
export function prepareTable(
  test: TestContext,
  context: ConformanceContext,
  name: string,
  fields: readonly PortableColumn[],
  key = 'id',
  sameNames: SameNames = 'fields',
): Promise<PreparedObject> {
  return prepare(test, context, { name, fields, key }, { sameNames });
}

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
 * Prepares an object for the running case, or skips it with the harness's reason. `sameNames`:
 * the case compares what the connector returns by the suite's own names, so it is skipped where
 * the harness renamed the object or a field.
 */
export async function prepare(
  test: TestContext,
  context: ConformanceContext,
  spec: ObjectSpec,
  options: { readonly sameNames?: boolean } = {},
): Promise<PreparedObject> {
  const prepared = await context.harness().prepareObject(spec);
  if ('unsupported' in prepared) {
    test.skip(true, `the harness cannot offer ${spec.name}: ${prepared.unsupported}`);
    throw new Error('unreachable: skipped');
  }
  if (options.sameNames === true) {
    const renamed = spec.fields.filter((field) => prepared.fields[field.name] !== field.name);
    test.skip(
      prepared.object !== spec.name || renamed.length > 0,
      `the harness renames ${spec.name} (as ${prepared.object}) or its fields, and this case reads by the suite's names`,
    );
  }
  return prepared;
}

/** `prepare` of a table-like spec with the suite's names kept (the existing cases' shape). */
export function prepareTable(
  test: TestContext,
  context: ConformanceContext,
  name: string,
  fields: readonly PortableColumn[],
  key = 'id',
): Promise<PreparedObject> {
  return prepare(test, context, { name, fields, key }, { sameNames: true });
}

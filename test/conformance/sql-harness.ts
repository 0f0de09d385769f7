import type { Connector } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import type { ConnectorHarness, PreparedObject, SqlExtras } from './connector-harness.js';

/** A harness of a SQL database: the core built from its SQL access, which it also offers as `sql`. */
export type SqlConnectorHarness = ConnectorHarness & SqlExtras & { readonly sql: SqlExtras };

/**
 * The harness core of a SQL database, built from its plain SQL access: each object spec becomes a
 * fresh table of the spec's name and field names, so names need no translation. A spec's
 * `cursor`, where the suite does not set it, moves like a sequence. Line relations are declared
 * unsupported (no SQL connector writes lines).
 */
export function sqlConnectorHarness(
  connector: Connector,
  sql: SqlExtras,
  close: () => Promise<void>,
): SqlConnectorHarness {
  const q = (identifier: string): string => sql.quote(identifier);
  const keyIn = (object: PreparedObject, count: number, from: number): string =>
    `${q(object.spec.key)} IN (${Array.from({ length: count }, (_, index) => sql.placeholder(from + index)).join(', ')})`;

  // A cursor the suite leaves to the system moves like a sequence, one per harness.
  let sequence = 0;
  const withCursor = (object: PreparedObject, row: Row): Row => {
    const cursor = object.spec.cursor;
    if (cursor === undefined || row[cursor] !== undefined) return row;
    sequence += 1;
    return { ...row, [cursor]: sequence };
  };

  return {
    ...sql,
    sql,
    connector,
    prepareObject: async (spec) => {
      if (spec.lines !== undefined && spec.lines.length > 0)
        return { unsupported: 'a SQL table holds no lines (records with lines need capabilities.lines)' };
      await sql.createTable(spec.name, spec.fields, spec.key);
      const fields = Object.fromEntries(spec.fields.map((field) => [field.name, field.name]));
      return { spec, object: spec.name, fields };
    },
    seed: (object, rows) =>
      sql.insertRows(
        object.object,
        rows.map((row) => withCursor(object, row)),
      ),
    update: async (object, key, given) => {
      const values = withCursor(object, given);
      const names = Object.keys(values);
      const sets = names.map((name, index) => `${q(name)} = ${sql.placeholder(index + 1)}`);
      await sql.execute(
        `UPDATE ${q(object.object)} SET ${sets.join(', ')} WHERE ${keyIn(object, 1, names.length + 1)}`,
        [...names.map((name) => values[name]), key],
      );
    },
    remove: async (object, keys) => {
      if (keys.length === 0) return;
      await sql.execute(`DELETE FROM ${q(object.object)} WHERE ${keyIn(object, keys.length, 1)}`, keys);
    },
    readAll: (object) => sql.selectAll(object.object, object.spec.key),
    close,
  };
}

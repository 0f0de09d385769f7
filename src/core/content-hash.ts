import { hash } from 'node:crypto';
import type { Change, LineTargetSpec, TargetRecord } from './connector.js';
import { isJsonNull, type Row, type Value } from './values.js';

/**
 * One value as hash text. The text is a stored contract: a stored hash must equal the hash of the
 * same record recomputed by a later Syncline, or every record would be written again after an
 * upgrade (content-hash.test.ts pins known hashes). Primitives are tested first, by `typeof`: they
 * are nearly every value, and their text is what `JSON.stringify` gives.
 */
function encode(value: Value | undefined): string {
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'u';
  }
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `b${Buffer.from(value).toString('hex')}`;
  // Distinct from SQL NULL (`null`), so a change between the two is written.
  if (isJsonNull(value)) return 'j';
  return JSON.stringify(value);
}

/**
 * Content hash of a mapped record (SHA-1, base64url): what was written, so an unchanged record is
 * not written again. Columns are hashed in the flow's fixed column order, so the hash changes
 * when the mapping does, and the record is written again then. One string, hashed once: this runs
 * for every record of every cycle.
 */
export function contentHash(
  record: TargetRecord,
  columns: readonly string[],
  lines?: readonly LineTargetSpec[],
): string {
  const { values } = record;
  let text: string = record.op;
  for (let index = 0; index < columns.length; index++) {
    text += '\u0000' + encode(values[columns[index] as string]);
  }
  // Records with lines: every line of each relation, in key order, so a changed, added or removed
  // line changes the hash. Records without lines hash as they always did.
  for (const relation of lines ?? []) {
    const rows = [...(record.lines?.[relation.name] ?? [])].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    text += `\u0001${relation.name}`;
    for (const line of rows) {
      text += `\u0002${JSON.stringify(line.key)}`;
      for (const column of relation.columns) text += `\u0000${encode(line.row[column])}`;
    }
  }
  return hash('sha1', text, 'base64url');
}

/**
 * Content hash of a source row as read (its columns in name order), for a record that failed
 * before it could be mapped: the key of "the same record failed again" for its dead letter.
 */
export function sourceRowHash(key: string, row: Row, lines?: Change['lines']): string {
  if (lines === undefined) return contentHash({ key, op: 'upsert', values: row }, Object.keys(row).sort());
  // A record with lines: its lines too, each with its source columns in name order.
  const relations = Object.keys(lines)
    .sort()
    .map((name) => ({
      name,
      key: undefined,
      columns: [...new Set((lines[name] ?? []).flatMap((line) => Object.keys(line.row)))].sort(),
      types: {},
    }));
  return contentHash({ key, op: 'upsert', values: row, lines }, Object.keys(row).sort(), relations);
}

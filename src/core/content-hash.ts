import { hash } from 'node:crypto';
import type { TargetRecord } from './connector.js';
import { isJsonNull, type Row, type Value } from './values.js';

function encode(value: Value | undefined): string {
  if (value === undefined) return 'u';
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
export function contentHash(record: TargetRecord, columns: readonly string[]): string {
  let text = record.op;
  for (const column of columns) text += `\u0000${encode(record.values[column])}`;
  return hash('sha1', text, 'base64url');
}

/**
 * Content hash of a source row as read (its columns in name order), for a record that failed
 * before it could be mapped: the key of "the same record failed again" for its dead letter.
 */
export function sourceRowHash(key: string, row: Row): string {
  return contentHash({ key, op: 'upsert', values: row }, Object.keys(row).sort());
}

import { createHash } from 'node:crypto';
import { Secret } from './secret.js';

/**
 * A digest of one `connections:` entry, secrets included: two entries with the same fingerprint
 * connect the same way, so a reload keeps their connector. The digest (SHA-256) never reveals a
 * secret, and it is kept in memory only.
 */
export function connectionFingerprint(entry: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(plain(entry)))
    .digest('hex');
}

/** The fingerprint of every connection of a config, by name. */
export function connectionFingerprints(
  connections: Readonly<Record<string, unknown>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(connections).map(([name, entry]) => [name, connectionFingerprint(entry)]),
  );
}

/** The value with secrets revealed and object keys sorted (a Secret's toJSON would hide its value). */
function plain(value: unknown): unknown {
  if (value instanceof Secret) return { secret: value.reveal() };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, plain(record[key])]),
    );
  }
  return value ?? null;
}

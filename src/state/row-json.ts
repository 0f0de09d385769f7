import type { Row } from '../core/values.js';

// How every state store keeps a row (a dead letter's payload, a conflict's versions) as JSON text.

/** The marker a binary value of a stored row is kept under, as base64. */
const BINARY_MARKER = '$binary';

/**
 * A row as JSON text. Binary values (Uint8Array, Buffer) become `{"$binary": "<base64>"}` so they
 * survive the round trip instead of turning into index maps.
 */
export function encodeRow(row: Row): string {
  return JSON.stringify(row, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Uint8Array
      ? { [BINARY_MARKER]: Buffer.from(original).toString('base64') }
      : value;
  });
}

/** The inverse of `encodeRow`: binary markers come back as Buffers. */
export function decodeRow(text: string): Row {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const entries = Object.entries(value);
      const [first] = entries;
      if (entries.length === 1 && first?.[0] === BINARY_MARKER && typeof first[1] === 'string') {
        return Buffer.from(first[1], 'base64');
      }
    }
    return value;
  }) as Row;
}

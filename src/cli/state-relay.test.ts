import { describe, expect, it } from 'vitest';
import { JSON_NULL } from '../core/values.js';
import { decodeFromRelay, encodeForRelay, toRelay } from './state-relay.js';

describe('state relay encoding', () => {
  it('keeps the JSON null document, binary values and maps through a structured clone', () => {
    const value = {
      deadLetters: [
        { key: '7', payload: { doc: JSON_NULL, bytes: new Uint8Array([0, 255]), text: 'a', none: null } },
      ],
      synced: new Map([['7', { hash: 'h', doc: JSON_NULL }]]),
    };
    const copied = decodeFromRelay(structuredClone(encodeForRelay(value))) as typeof value;
    expect(copied.deadLetters[0]?.payload.doc).toBe(JSON_NULL);
    expect(copied.deadLetters[0]?.payload.bytes).toEqual(new Uint8Array([0, 255]));
    expect(copied.deadLetters[0]?.payload.none).toBeNull();
    expect(copied.synced.get('7')?.doc).toBe(JSON_NULL);
    // Without the encoding the clone turns it into an empty object, which would be stored as `{}`.
    expect(structuredClone(value).deadLetters[0]?.payload.doc).not.toBe(JSON_NULL);
  });

  it('sends a value without JsonNull as it is, and encodes one with it', () => {
    const plain = { synced: [{ key: '1', hash: 'h' }] };
    expect(toRelay(plain)).toEqual({ value: plain, isEncoded: false });
    expect(toRelay(plain).value).toBe(plain);
    expect(toRelay([{ payload: { doc: JSON_NULL } }]).isEncoded).toBe(true);
  });

  it('leaves a user object that merely looks like the marker alone when it has more keys', () => {
    const value = { '$syncline.jsonNull': true, other: 1 };
    expect(decodeFromRelay(structuredClone(encodeForRelay(value)))).toEqual(value);
  });
});

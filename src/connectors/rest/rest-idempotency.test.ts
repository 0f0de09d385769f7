import { describe, expect, it } from 'vitest';
import { RestIdempotencyKeys } from './rest-idempotency.js';

describe('RestIdempotencyKeys', () => {
  it('keeps the key of a write until the API answers it, then gives the same content a new one', () => {
    const keys = new RestIdempotencyKeys();
    const first = keys.keyFor('deals', 'POST /batch', '{"a":1}');
    expect(keys.keyFor('deals', 'POST /batch', '{"a":1}')).toBe(first);
    expect(keys.keyFor('other', 'POST /batch', '{"a":1}')).not.toBe(first);
    expect(keys.keyFor('deals', 'POST /batch', '{"a":2}')).not.toBe(first);
    keys.answered('deals', 'POST /batch', '{"a":1}');
    const second = keys.keyFor('deals', 'POST /batch', '{"a":1}');
    expect(second).not.toBe(first);
    expect(keys.keyFor('deals', 'POST /batch', '{"a":1}')).toBe(second);
  });
});

import { createHash } from 'node:crypto';

/** Base keys remembered at most; the oldest are forgotten first. */
const REMEMBERED_KEYS = 100_000;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/**
 * The `Idempotency-Key`s of a connection's writes. A key is a digest of the flow, the request and
 * its body (the records' keys and content), so the same write sent again — a retry after a
 * timeout, a lost answer or a partial batch — carries the same key, and an API that honours the
 * header applies it once. Once the API has answered a key (success or refusal), the same content
 * written later is a new write (a value changed from A to B and back to A, a dead letter replayed
 * after the system was fixed): it gets a new key, so the API does not answer it from its store.
 * That memory is per process; after a restart a write of identical content may reuse a key.
 */
export class RestIdempotencyKeys {
  /** Base key → how many times the API has answered it. */
  readonly #answered = new Map<string, number>();

  /** The key of a write; the same until `answered` is called for it. */
  keyFor(flow: string, label: string, body: string): string {
    const base = digest(`${flow}\n${label}\n${body}`);
    const times = this.#answered.get(base) ?? 0;
    return times === 0 ? base : digest(`${base}\n${times}`);
  }

  /** The API answered the write of this content (2xx, or a refusal of the records). */
  answered(flow: string, label: string, body: string): void {
    const base = digest(`${flow}\n${label}\n${body}`);
    const times = (this.#answered.get(base) ?? 0) + 1;
    this.#answered.delete(base);
    this.#answered.set(base, times);
    if (this.#answered.size > REMEMBERED_KEYS) {
      const oldest = this.#answered.keys().next().value;
      if (oldest !== undefined) this.#answered.delete(oldest);
    }
  }
}

import type { StateStore } from './state-store.js';

/**
 * The open dead letters of these keys: key → the content hash of the record that failed, or
 * undefined for a letter without one (a reference letter, retried on its own schedule; a letter
 * kept before hashes were). While a key's record still hashes the same, it is the record that
 * failed: a cycle neither writes it again nor dead-letters it again; a changed record, or a
 * replay, tries it again.
 */
export async function openDeadLetterHashes(
  state: StateStore,
  flow: string,
  keys: readonly string[],
): Promise<Map<string, string | undefined>> {
  const hashes = new Map<string, string | undefined>();
  if (keys.length === 0) return hashes;
  // At most one open letter per key, so `keys.length` entries hold them all.
  const letters = await state.listDeadLetters({ flow, status: 'open', keys, limit: keys.length });
  for (const letter of letters) hashes.set(letter.key, letter.hash);
  return hashes;
}

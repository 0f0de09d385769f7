import { StateStoreError } from '../../core/errors.js';
import type { DeadLetter, DeadLetterInput, DeadLetterStatus } from '../../core/state-store.js';
import { encodeRow } from '../row-json.js';
import { DEAD_LETTER_COLUMNS, deadLetterFromRow, type DeadLetterRow } from '../state-rows.js';
import type { Queryable } from './postgres-state-connection.js';
import { inRounds } from './postgres-state-rows.js';

/**
 * Inserts dead letters, or updates the key's open entry (reason, payload, hash, occurrences + 1).
 * WITH ORDINALITY and ORDER BY hand out ids in the order given.
 */
const PUT_DEAD_LETTERS = `INSERT INTO dead_letters (flow, key, field, kind, code, reason, payload, status, occurrences,
    created_at, updated_at, hash)
  SELECT u.flow, u.key, u.field, u.kind, u.code, u.reason, u.payload, 'open', 1, now(), now(), u.hash
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
    WITH ORDINALITY AS u(flow, key, field, kind, code, reason, payload, hash, position)
  ORDER BY u.position
  ON CONFLICT (flow, key) WHERE status = 'open' DO UPDATE SET field = excluded.field, kind = excluded.kind,
    code = excluded.code, reason = excluded.reason, payload = excluded.payload, hash = excluded.hash,
    occurrences = dead_letters.occurrences + 1, updated_at = excluded.updated_at`;

const RESOLVE = `UPDATE dead_letters SET status = 'replayed', updated_at = now()
  WHERE flow = $1 AND status = 'open' AND key = ANY($2::text[])`;

const COUNT_OF_FLOW = 'SELECT count(*) AS count FROM dead_letters WHERE flow = $1 AND id = ANY($2::bigint[])';

const SET_STATUS =
  'UPDATE dead_letters SET status = $1, updated_at = now() WHERE flow = $2 AND id = ANY($3::bigint[])';

const OPEN_HASHES = `SELECT key, hash FROM dead_letters WHERE flow = $1 AND status = 'open' AND key = ANY($2::text[])`;

const GET = `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = $1`;

/** Inside a batch's transaction: marks the open entries of these keys replayed. */
export async function resolvePostgresDeadLetters(
  db: Queryable,
  flow: string,
  keys: readonly string[],
): Promise<void> {
  if (keys.length > 0) await db.query(RESOLVE, [flow, keys]);
}

/** The parameter arrays of PUT_DEAD_LETTERS; a payload that is not JSON throws here, before any write. */
export function deadLetterColumns(letters: readonly DeadLetterInput[]): (string | null)[][][] {
  return inRounds(letters, (letter) => JSON.stringify([letter.flow, letter.key])).map((round) => [
    round.map((letter) => letter.flow),
    round.map((letter) => letter.key),
    round.map((letter) => letter.field ?? null),
    round.map((letter) => letter.kind),
    round.map((letter) => letter.code),
    round.map((letter) => letter.reason),
    round.map((letter) => encodeRow(letter.payload)),
    round.map((letter) => letter.hash ?? null),
  ]);
}

/** Inside a batch's transaction: records the dead letters (`deadLetterColumns`), one statement per round. */
export async function putPostgresDeadLetters(
  db: Queryable,
  rounds: readonly (string | null)[][][],
): Promise<void> {
  for (const columns of rounds) await db.query(PUT_DEAD_LETTERS, columns);
}

/**
 * Inside a fenced transaction: sets the status of dead letters of `flow`; when an id is not a
 * dead letter of that flow, nothing changes and a non-retryable error names the flow and ids.
 */
export async function setPostgresDeadLetterStatus(
  db: Queryable,
  flow: string,
  ids: readonly number[],
  status: DeadLetterStatus,
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const { rows } = await db.query<{ count: number }>(COUNT_OF_FLOW, [flow, unique]);
  if ((rows[0]?.count ?? 0) !== unique.length) {
    throw new StateStoreError(
      `Flow "${flow}": dead letters ${unique.map((id) => `#${id}`).join(', ')} are not all dead letters of this flow; no status was changed`,
      { flow, retryable: false },
    );
  }
  await db.query(SET_STATUS, [status, flow, unique]);
}

/** Keys of these with an open dead letter → its content hash. */
export async function postgresOpenDeadLetterHashes(
  db: Queryable,
  flow: string,
  keys: readonly string[],
): Promise<Map<string, string | undefined>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ key: string; hash: string | null }>(OPEN_HASHES, [flow, keys]);
  return new Map(rows.map((row) => [row.key, row.hash ?? undefined]));
}

/** The dead letter `id`, if any. */
export async function getPostgresDeadLetter(db: Queryable, id: number): Promise<DeadLetter | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await db.query<DeadLetterRow>(GET, [id]);
  return rows[0] === undefined ? undefined : deadLetterFromRow(rows[0]);
}

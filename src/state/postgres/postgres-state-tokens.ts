import type pg from 'pg';
import type { StoredToken, TokenInput } from '../../core/token-store.js';
import { SELECT_TOKENS, tokenFromRow, type TokenRow } from '../state-service-rows.js';
import { inTransaction, type Queryable } from './postgres-state-connection.js';

/**
 * First class of the two-key advisory locks that serialise saves of one token name across
 * sessions (the second key is the name's hash), so two processes never both store an active token.
 */
const TOKEN_NAME_LOCK = 0x544f4b4e; // "TOKN"

const ACTIVE_BY_NAME = `SELECT id FROM api_tokens WHERE name = $1 AND revoked_at IS NULL
  AND (expires_at IS NULL OR expires_at > $2::timestamptz) LIMIT 1`;

const INSERT = `INSERT INTO api_tokens (name, role, hash, prefix, created_at, created_by, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/** Stores the token unless an active one has its name, checked under a lock on the name. */
export function savePostgresToken(pool: pg.Pool, token: TokenInput): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TOKEN_NAME_LOCK, token.name]);
    if ((await db.query(ACTIVE_BY_NAME, [token.name, token.createdAt])).rowCount !== 0) return false;
    await db.query(INSERT, [
      token.name,
      token.role,
      token.hash,
      token.prefix,
      token.createdAt,
      token.createdBy,
      token.expiresAt ?? null,
    ]);
    return true;
  });
}

/** The token with this hash, if any. */
export async function findPostgresToken(db: Queryable, hash: string): Promise<StoredToken | undefined> {
  const { rows } = await db.query<TokenRow>(`${SELECT_TOKENS} WHERE hash = $1`, [hash]);
  return rows[0] === undefined ? undefined : tokenFromRow(rows[0]);
}

/** Every token, newest first. */
export async function listPostgresTokens(db: Queryable): Promise<StoredToken[]> {
  return (await db.query<TokenRow>(`${SELECT_TOKENS} ORDER BY id DESC`)).rows.map(tokenFromRow);
}

/** Revokes the unrevoked tokens of `name`; returns the newest one as it was before. */
export function revokePostgresToken(
  pool: pg.Pool,
  name: string,
  at: string,
): Promise<StoredToken | undefined> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query<TokenRow>(
      `${SELECT_TOKENS} WHERE name = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE`,
      [name],
    );
    if (rows[0] === undefined) return undefined;
    await db.query('UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL', [
      at,
      name,
    ]);
    return tokenFromRow(rows[0]);
  });
}

/** Sets when the token was last used. */
export async function touchPostgresToken(db: Queryable, hash: string, at: string): Promise<void> {
  await db.query('UPDATE api_tokens SET last_used_at = $1 WHERE hash = $2', [at, hash]);
}

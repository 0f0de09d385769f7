import type Database from 'better-sqlite3';
import type { StoredToken, TokenInput } from '../../core/token-store.js';
import { SELECT_TOKENS, tokenFromRow, type TokenRow } from '../state-service-rows.js';

/** Named parameters of the insert: a token without expiry is NULL. */
type TokenInsertParams = Omit<TokenInput, 'expiresAt'> & { expiresAt: string | null };

/** API tokens in the SQLite state store: hashes only, never the token text. */
export class SqliteStateTokens {
  private readonly db: Database.Database;
  private readonly activeByName: Database.Statement<[string, string], { id: number }>;
  private readonly insert: Database.Statement<[TokenInsertParams]>;
  private readonly byHash: Database.Statement<[string], TokenRow>;
  private readonly all: Database.Statement<[], TokenRow>;
  private readonly newestByName: Database.Statement<[string], TokenRow>;
  private readonly revoke: Database.Statement<[string, string]>;
  private readonly touch: Database.Statement<[string, string]>;

  /** Prepares the statements on `db`. */
  constructor(db: Database.Database) {
    this.db = db;
    // ISO 8601 UTC text compares in time order, so expiry is checked in SQL.
    this.activeByName = db.prepare(
      `SELECT id FROM api_tokens WHERE name = ? AND revoked_at IS NULL
         AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`,
    );
    this.insert = db.prepare(
      `INSERT INTO api_tokens (name, role, hash, prefix, created_at, created_by, expires_at)
       VALUES (@name, @role, @hash, @prefix, @createdAt, @createdBy, @expiresAt)`,
    );
    this.byHash = db.prepare(`${SELECT_TOKENS} WHERE hash = ?`);
    this.all = db.prepare(`${SELECT_TOKENS} ORDER BY id DESC`);
    this.newestByName = db.prepare(`${SELECT_TOKENS} WHERE name = ? ORDER BY id DESC LIMIT 1`);
    this.revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL');
    this.touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE hash = ?');
  }

  /** Stores the token unless an active one has its name (checked in the same write transaction). */
  save(token: TokenInput): boolean {
    const apply = this.db.transaction(() => {
      if (this.activeByName.get(token.name, token.createdAt) !== undefined) return false;
      this.insert.run({ ...token, expiresAt: token.expiresAt ?? null });
      return true;
    });
    return apply.immediate();
  }

  /** The token with this hash, if any. */
  findByHash(hash: string): StoredToken | undefined {
    const row = this.byHash.get(hash);
    return row === undefined ? undefined : tokenFromRow(row);
  }

  /** Every token, newest first. */
  list(): StoredToken[] {
    return this.all.all().map(tokenFromRow);
  }

  /** Revokes the unrevoked tokens of `name`; returns the newest one as it was before. */
  revokeByName(name: string, at: string): StoredToken | undefined {
    const apply = this.db.transaction(() => {
      const row = this.newestByName.get(name);
      if (row !== undefined) this.revoke.run(at, name);
      return row === undefined ? undefined : tokenFromRow(row);
    });
    return apply.immediate();
  }

  /** Sets when the token was last used. */
  touchByHash(hash: string, at: string): void {
    this.touch.run(at, hash);
  }
}

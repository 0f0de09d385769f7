/**
 * An API token as the state store keeps it: never the token itself, only its SHA-256 hash and a
 * short prefix to tell tokens apart in lists.
 */
export interface TokenInput {
  /** Unique among active tokens; the actor of the audit entries of requests made with it. */
  readonly name: string;
  /** `viewer`, `operator` or `admin` (checked by the operations layer, kept as text here). */
  readonly role: string;
  /** SHA-256 of the token text, lowercase hex (64 characters). */
  readonly hash: string;
  /** The first characters of the token, for display: `sl_AbCd…`. */
  readonly prefix: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** Who created it (the audit actor). */
  readonly createdBy: string;
  /** ISO 8601, UTC; undefined when it never expires. */
  readonly expiresAt: string | undefined;
}

/** A stored token with what happened to it since. */
export interface StoredToken extends TokenInput {
  /** Rises with each token created: lists are newest (highest id) first. */
  readonly id: number;
  /** When it last authenticated a request (recorded at most about once a minute); ISO 8601, UTC. */
  readonly lastUsedAt: string | undefined;
  /** When it was revoked; ISO 8601, UTC. */
  readonly revokedAt: string | undefined;
}

/** The token methods of the StateStore. */
export interface TokenStore {
  /**
   * Stores a new token, unless an active token (not revoked, and not expired at `token.createdAt`)
   * has its name: then nothing is stored and the result is false. Checked and stored atomically.
   */
  saveToken(token: TokenInput): Promise<boolean>;
  /** The token with this hash (revoked and expired ones too), if any. */
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  /** Every token ever created (revoked and expired ones too), newest first. */
  listTokens(): Promise<StoredToken[]>;
  /**
   * Revokes every unrevoked token of this name at `at`. Returns the newest token of the name as it
   * was before (so the caller sees whether it was active), or undefined when no token ever had it.
   */
  revokeToken(name: string, at: string): Promise<StoredToken | undefined>;
  /** Records that the token with this hash authenticated a request at `at`. */
  touchToken(hash: string, at: string): Promise<void>;
}

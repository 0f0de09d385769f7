import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { audited } from '../core/audit.js';
import { SyncError } from '../core/errors.js';
import type { StoredToken } from '../core/token-store.js';
import { invalidRequest, type OperationsContext } from './operations-context.js';

/** The roles of API tokens, least to most allowed. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** A token's role: `viewer` reads, `operator` also acts on flows, `admin` also manages config and tokens. */
export type Role = (typeof ROLES)[number];

/** Whether a token of role `held` may do what needs role `needed` (viewer < operator < admin). */
export function hasRole(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Whether a text is one of ROLES. */
export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** A token as lists show it: never the token or its hash. */
export interface TokenInfo {
  /** Unique among active tokens; the actor of the audit entries of its requests. */
  readonly name: string;
  /** What it may do (see `hasRole`). */
  readonly role: Role;
  /** The token's first characters, to tell tokens apart: `sl_AbCd…`. */
  readonly prefix: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** Who created it (the audit actor). */
  readonly createdBy: string;
  /** ISO 8601, UTC; undefined when it never expires. */
  readonly expiresAt: string | undefined;
  /** When it last authenticated a request (at most once a minute is recorded); ISO 8601, UTC. */
  readonly lastUsedAt: string | undefined;
  /** When it was revoked; ISO 8601, UTC. */
  readonly revokedAt: string | undefined;
}

/** What every token starts with, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'sl_';
const TOKEN_BODY_LENGTH = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOKEN_SHAPE = /^sl_[0-9A-Za-z]{32}$/;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** A token's last use is written at most this often (ms), so reads do not become writes. */
const TOUCH_INTERVAL_MS = 60_000;

/** `sl_` and 32 base62 characters from the system's CSPRNG (unbiased: bytes ≥ 248 are drawn again). */
function newTokenText(): string {
  let body = '';
  while (body.length < TOKEN_BODY_LENGTH) {
    for (const byte of randomBytes(TOKEN_BODY_LENGTH)) {
      if (byte < 248 && body.length < TOKEN_BODY_LENGTH) body += BASE62[byte % 62] ?? '';
    }
  }
  return `${TOKEN_PREFIX}${body}`;
}

function hashToken(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function displayPrefix(text: string): string {
  return `${text.slice(0, TOKEN_PREFIX.length + 4)}…`;
}

function isExpired(token: Pick<StoredToken, 'expiresAt'>, nowMs: number): boolean {
  return token.expiresAt !== undefined && Date.parse(token.expiresAt) <= nowMs;
}

function infoOf(token: StoredToken & { readonly role: Role }): TokenInfo {
  return {
    name: token.name,
    role: token.role,
    prefix: token.prefix,
    createdAt: token.createdAt,
    createdBy: token.createdBy,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
    revokedAt: token.revokedAt,
  };
}

function nowOf(context: OperationsContext): number {
  return (context.now ?? Date.now)();
}

/**
 * Creates an API token (audited as `token.create`) and returns it with the token text, which is
 * shown this once: only its SHA-256 hash and a display prefix are stored. REQUEST_INVALID for a bad
 * name, role or expiry, or when an active token has the name.
 */
export async function createToken(
  context: OperationsContext,
  request: { actor: string; name: string; role: Role; expiresInMs?: number },
): Promise<TokenInfo & { readonly token: string }> {
  const { name, role, expiresInMs } = request;
  if (!TOKEN_NAME.test(name))
    throw invalidRequest(
      `token name "${name}" is not allowed: use 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`,
    );
  if (!isRole(role)) throw invalidRequest(`unknown role "${String(role)}" (roles: ${ROLES.join(', ')})`);
  if (expiresInMs !== undefined && (!Number.isSafeInteger(expiresInMs) || expiresInMs <= 0))
    throw invalidRequest('a token expires after a positive duration, e.g. 90d');
  const nowMs = nowOf(context);
  const createdAt = new Date(nowMs).toISOString();
  const expiresAt = expiresInMs === undefined ? undefined : new Date(nowMs + expiresInMs).toISOString();
  const token = newTokenText();
  const stored = { name, role, hash: hashToken(token), prefix: displayPrefix(token) };
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'token.create',
      subject: `token ${name}`,
      details: { name, role, prefix: stored.prefix, expiresAt: expiresAt ?? null },
    },
    async () => {
      const saved = await context.state.saveToken({
        ...stored,
        createdAt,
        createdBy: request.actor,
        expiresAt,
      });
      if (!saved)
        throw invalidRequest(
          `an active token is already named "${name}"; revoke it first ("syncline token revoke ${name}") or choose another name`,
        );
      const info: TokenInfo = {
        name,
        role,
        prefix: stored.prefix,
        createdAt,
        createdBy: request.actor,
        expiresAt,
        lastUsedAt: undefined,
        revokedAt: undefined,
      };
      return { value: { ...info, token }, isSuccess: true, outcome: `created with role ${role}` };
    },
  );
}

/** Every token, newest first, revoked and expired ones too; never the token or its hash. */
export async function listTokens(context: OperationsContext): Promise<TokenInfo[]> {
  const tokens = await context.state.listTokens();
  return tokens.flatMap((token) => (isRole(token.role) ? [infoOf({ ...token, role: token.role })] : []));
}

/**
 * Revokes the token of this name (audited as `token.revoke`); requests made with it are refused
 * from now on. `wasActive` is false when it had already been revoked or had expired.
 * TOKEN_NOT_FOUND when no token ever had the name.
 */
export async function revokeToken(
  context: OperationsContext,
  request: { actor: string; name: string },
): Promise<{ readonly name: string; readonly wasActive: boolean }> {
  const nowMs = nowOf(context);
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'token.revoke',
      subject: `token ${request.name}`,
      details: { name: request.name },
    },
    async () => {
      const before = await context.state.revokeToken(request.name, new Date(nowMs).toISOString());
      if (before === undefined)
        throw new SyncError(
          'TOKEN_NOT_FOUND',
          `no token named "${request.name}" (see "syncline token list")`,
        );
      const wasActive = before.revokedAt === undefined && !isExpired(before, nowMs);
      const outcome = wasActive
        ? 'revoked'
        : before.revokedAt === undefined
          ? 'had expired; revoked'
          : 'was already revoked';
      return { value: { name: request.name, wasActive }, isSuccess: true, outcome };
    },
  );
}

/**
 * The name and role of the token presented (the text after `Bearer `), or undefined when it is
 * unknown, revoked, expired or not a token at all. Records its last use, at most once a minute.
 */
export async function authenticateToken(
  context: OperationsContext,
  presented: string,
): Promise<{ readonly name: string; readonly role: Role } | undefined> {
  if (!TOKEN_SHAPE.test(presented)) return undefined;
  const hash = hashToken(presented);
  const found = await context.state.findTokenByHash(hash);
  if (found === undefined) return undefined;
  const expected = Buffer.from(found.hash, 'hex');
  const actual = Buffer.from(hash, 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const nowMs = nowOf(context);
  if (found.revokedAt !== undefined || isExpired(found, nowMs) || !isRole(found.role)) return undefined;
  const lastUsedMs = found.lastUsedAt === undefined ? undefined : Date.parse(found.lastUsedAt);
  if (lastUsedMs === undefined || nowMs - lastUsedMs >= TOUCH_INTERVAL_MS) {
    // A failed write of the last use must not refuse a valid token.
    await context.state.touchToken(hash, new Date(nowMs).toISOString()).catch((error: unknown) => {
      context.logger.warn('could not record the last use of a token', {
        token: found.name,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
  return { name: found.name, role: found.role };
}

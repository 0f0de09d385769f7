import { parseDurationFlag } from '../../config/duration.js';
import { currentActor } from '../../core/audit.js';
import { invalidRequest } from '../../operations/operations-context.js';
import {
  createToken,
  isRole,
  listTokens,
  revokeToken,
  ROLES,
  type TokenInfo,
} from '../../operations/tokens.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { formatTextTable } from '../text-table.js';

/** Options of `syncline token create`. */
export interface TokenCreateOptions extends GlobalOptions {
  /** The token's name: the actor of its requests in the audit log. */
  readonly name: string;
  /** `viewer`, `operator` or `admin`. */
  readonly role: string;
  /** How long it lasts, e.g. `90d`; it never expires when absent. */
  readonly expires?: string;
}

/**
 * `syncline token create --name NAME --role ROLE [--expires 90d]`: creates an API token (audited)
 * and prints it once, as the last line of stdout; only its hash is kept.
 */
export async function tokenCreateCommand(options: TokenCreateOptions): Promise<number> {
  if (!isRole(options.role))
    throw invalidRequest(`unknown role "${options.role}" (roles: ${ROLES.join(', ')})`);
  const expiresInMs = options.expires === undefined ? undefined : parseDurationFlag(options.expires);
  if (options.expires !== undefined && expiresInMs === undefined)
    throw invalidRequest(`--expires "${options.expires}" is not a duration (e.g. 30d, 12h, 1w)`);
  const { engine } = await openCliEngine(options);
  try {
    const created = await createToken(engine.operations, {
      actor: currentActor(),
      name: options.name,
      role: options.role,
      ...(expiresInMs === undefined ? {} : { expiresInMs }),
    });
    process.stdout.write(
      `Created token "${created.name}" (role ${created.role}, ${
        created.expiresAt === undefined ? 'never expires' : `expires ${created.expiresAt}`
      }).\n` +
        'Store it now, in a password manager or secret store: it cannot be shown again.\n' +
        `${created.token}\n`,
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

function stateOf(token: TokenInfo, nowMs: number): string {
  if (token.revokedAt !== undefined) return `revoked ${token.revokedAt}`;
  if (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= nowMs)
    return `expired ${token.expiresAt}`;
  return 'active';
}

/** `syncline token list [--json]`: every token, newest first; never a token or its hash. */
export async function tokenListCommand(
  options: GlobalOptions & { readonly json?: boolean },
): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const tokens = await listTokens(engine.operations);
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
      return ExitCodes.ok;
    }
    if (tokens.length === 0) {
      process.stdout.write(
        'no tokens yet; create one with "syncline token create --name NAME --role viewer"\n',
      );
      return ExitCodes.ok;
    }
    const nowMs = Date.now();
    const rows = tokens.map((token) => [
      token.name,
      token.role,
      token.prefix,
      stateOf(token, nowMs),
      token.createdAt,
      token.createdBy,
      token.expiresAt ?? 'never',
      token.lastUsedAt ?? 'never',
    ]);
    process.stdout.write(
      `${formatTextTable(['NAME', 'ROLE', 'PREFIX', 'STATE', 'CREATED', 'BY', 'EXPIRES', 'LAST USED'], rows)}\n`,
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

/** `syncline token revoke NAME`: requests with the token are refused from now on (audited). */
export async function tokenRevokeCommand(
  options: GlobalOptions & { readonly name: string },
): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const result = await revokeToken(engine.operations, { actor: currentActor(), name: options.name });
    process.stdout.write(
      result.wasActive
        ? `Revoked token "${result.name}"; requests made with it are refused from now on.\n`
        : `Token "${result.name}" was not active (already revoked or expired); it stays revoked.\n`,
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

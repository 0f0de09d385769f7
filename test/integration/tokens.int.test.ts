import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { queryAudit } from '../../src/operations/audit-log.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import {
  authenticateToken,
  createToken,
  hasRole,
  listTokens,
  revokeToken,
} from '../../src/operations/tokens.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';

// Tokens and roles through the operations layer, on an in-memory SQLite state store.

const actor = 'admin@ops';
let state: SqliteStateStore;
let nowMs: number;
let context: OperationsContext;

beforeEach(async () => {
  state = new SqliteStateStore(':memory:');
  await state.init();
  nowMs = Date.parse('2026-05-01T08:00:00.000Z');
  context = {
    flows: [],
    state,
    logger: silentLogger,
    portsFor: () => {
      throw new Error('no flows here');
    },
    connector: () => {
      throw new Error('no connections here');
    },
    now: () => nowMs,
  };
});

afterEach(async () => {
  await state.close();
});

describe('roles', () => {
  it('orders viewer < operator < admin', () => {
    expect(hasRole('admin', 'operator')).toBe(true);
    expect(hasRole('operator', 'operator')).toBe(true);
    expect(hasRole('viewer', 'operator')).toBe(false);
    expect(hasRole('operator', 'admin')).toBe(false);
    expect(hasRole('viewer', 'viewer')).toBe(true);
  });
});

describe('tokens', () => {
  it('creates a token shown once and stores only its hash and prefix', async () => {
    const created = await createToken(context, { actor, name: 'grafana', role: 'viewer' });
    expect(created.token).toMatch(/^sl_[0-9A-Za-z]{32}$/);
    expect(created.prefix).toBe(`${created.token.slice(0, 7)}…`);
    expect(created).toMatchObject({
      name: 'grafana',
      role: 'viewer',
      createdBy: actor,
      expiresAt: undefined,
    });
    const stored = await state.listTokens();
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(JSON.stringify(await listTokens(context))).not.toContain(created.token);
    expect(Object.keys((await listTokens(context))[0]!)).not.toContain('hash');
    expect(JSON.stringify(await queryAudit(context, { limit: 10 }))).not.toContain(created.token);
  });

  it('makes a different token each time', async () => {
    const tokens = new Set<string>();
    for (let index = 0; index < 20; index += 1)
      tokens.add((await createToken(context, { actor, name: `t${index}`, role: 'viewer' })).token);
    expect(tokens.size).toBe(20);
  });

  it('authenticates a token with its name and role, and refuses unknown or malformed ones', async () => {
    const { token } = await createToken(context, { actor, name: 'ci', role: 'operator' });
    expect(await authenticateToken(context, token)).toEqual({ name: 'ci', role: 'operator' });
    const other = `sl_${'A'.repeat(32)}`;
    expect(await authenticateToken(context, other)).toBeUndefined();
    expect(await authenticateToken(context, `${token}x`)).toBeUndefined();
    expect(await authenticateToken(context, '')).toBeUndefined();
  });

  it('refuses a revoked token and an expired one', async () => {
    const revoked = await createToken(context, { actor, name: 'old', role: 'admin' });
    expect(await revokeToken(context, { actor, name: 'old' })).toEqual({ name: 'old', wasActive: true });
    expect(await authenticateToken(context, revoked.token)).toBeUndefined();
    expect(await revokeToken(context, { actor, name: 'old' })).toEqual({ name: 'old', wasActive: false });

    const expiring = await createToken(context, {
      actor,
      name: 'short',
      role: 'viewer',
      expiresInMs: 60_000,
    });
    expect(expiring.expiresAt).toBe('2026-05-01T08:01:00.000Z');
    expect(await authenticateToken(context, expiring.token)).toBeDefined();
    nowMs += 60_000;
    expect(await authenticateToken(context, expiring.token)).toBeUndefined();
  });

  it('records the last use at most once a minute', async () => {
    const { token } = await createToken(context, { actor, name: 'poller', role: 'viewer' });
    await authenticateToken(context, token);
    const lastUsed = async (): Promise<string | undefined> => (await listTokens(context))[0]!.lastUsedAt;
    expect(await lastUsed()).toBe('2026-05-01T08:00:00.000Z');
    nowMs += 30_000;
    await authenticateToken(context, token);
    expect(await lastUsed()).toBe('2026-05-01T08:00:00.000Z');
    nowMs += 30_000;
    await authenticateToken(context, token);
    expect(await lastUsed()).toBe('2026-05-01T08:01:00.000Z');
  });

  it('refuses a second active token of one name, and allows the name again after revoking', async () => {
    await createToken(context, { actor, name: 'dup', role: 'viewer' });
    const again = createToken(context, { actor, name: 'dup', role: 'admin' });
    await expect(again).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
    await revokeToken(context, { actor, name: 'dup' });
    await expect(createToken(context, { actor, name: 'dup', role: 'admin' })).resolves.toMatchObject({
      role: 'admin',
    });
  });

  it('refuses bad names, roles and expiries', async () => {
    await expect(createToken(context, { actor, name: 'has space', role: 'viewer' })).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
    });
    const role = 'root' as 'admin';
    await expect(createToken(context, { actor, name: 'x', role })).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
    });
    await expect(
      createToken(context, { actor, name: 'x', role: 'viewer', expiresInMs: 0 }),
    ).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
  });

  it('reports TOKEN_NOT_FOUND for a name never used', async () => {
    const revoking = revokeToken(context, { actor, name: 'ghost' });
    await expect(revoking).rejects.toBeInstanceOf(SyncError);
    await expect(revoking).rejects.toMatchObject({ code: 'TOKEN_NOT_FOUND' });
  });

  it('audits creation and revocation, refusals too', async () => {
    await createToken(context, { actor, name: 'audited', role: 'operator' });
    await createToken(context, { actor, name: 'audited', role: 'operator' }).catch(() => undefined);
    await revokeToken(context, { actor, name: 'audited' });
    await revokeToken(context, { actor, name: 'ghost' }).catch(() => undefined);
    const { items } = await queryAudit(context, { limit: 10 });
    expect(items.map((entry) => [entry.action, entry.subject, entry.result, entry.actor])).toEqual([
      ['token.revoke', 'token ghost', 'failed', actor],
      ['token.revoke', 'token audited', 'succeeded', actor],
      ['token.create', 'token audited', 'failed', actor],
      ['token.create', 'token audited', 'succeeded', actor],
    ]);
  });
});

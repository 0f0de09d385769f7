import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TokenInput } from '../../src/core/token-store.js';
import { uniqueFlow, type CurrentStore } from './state-store-samples.js';

/** A token of `name` whose hash is made from `seed`; never expires unless `expiresAt` is given. */
function tokenInput(name: string, seed: string, parts: Partial<TokenInput> = {}): TokenInput {
  return {
    name,
    role: 'operator',
    hash: createHash('sha256').update(`${name}/${seed}/${Math.random()}`).digest('hex'),
    prefix: 'sl_AbCd…',
    createdAt: '2026-05-01T08:00:00.000Z',
    createdBy: 'ops@host',
    expiresAt: undefined,
    ...parts,
  };
}

/** API tokens: stored by hash, one active token per name, revocation, last use. */
export function describeTokenCases(store: CurrentStore): void {
  describe('API tokens', () => {
    it('stores a token and finds it by its hash with everything it was given', async () => {
      const name = uniqueFlow('token');
      const token = tokenInput(name, 'a', { role: 'admin', expiresAt: '2027-05-01T08:00:00.000Z' });
      expect(await store().saveToken(token)).toBe(true);
      expect(await store().findTokenByHash(token.hash)).toEqual({
        ...token,
        id: expect.any(Number) as unknown,
        lastUsedAt: undefined,
        revokedAt: undefined,
      });
      expect(await store().findTokenByHash('0'.repeat(64))).toBeUndefined();
    });

    it('refuses a second active token of one name, and allows it once the first expired or was revoked', async () => {
      const name = uniqueFlow('token-name');
      const first = tokenInput(name, 'a', { expiresAt: '2026-05-02T08:00:00.000Z' });
      expect(await store().saveToken(first)).toBe(true);
      expect(await store().saveToken(tokenInput(name, 'b'))).toBe(false);
      const afterExpiry = tokenInput(name, 'c', { createdAt: '2026-05-03T08:00:00.000Z' });
      expect(await store().saveToken(afterExpiry)).toBe(true);
      await store().revokeToken(name, '2026-05-04T08:00:00.000Z');
      expect(await store().saveToken(tokenInput(name, 'd', { createdAt: '2026-05-05T08:00:00.000Z' }))).toBe(
        true,
      );
      const names = (await store().listTokens()).filter((token) => token.name === name);
      expect(names).toHaveLength(3);
    });

    it('lists every token newest first, revoked ones too', async () => {
      const older = tokenInput(uniqueFlow('list-a'), 'a');
      const newer = tokenInput(uniqueFlow('list-b'), 'b');
      await store().saveToken(older);
      await store().saveToken(newer);
      await store().revokeToken(older.name, '2026-05-02T08:00:00.000Z');
      const listed = (await store().listTokens()).filter((token) =>
        [older.name, newer.name].includes(token.name),
      );
      expect(listed.map((token) => token.name)).toEqual([newer.name, older.name]);
      expect(listed[1]!.revokedAt).toBe('2026-05-02T08:00:00.000Z');
      expect(listed[0]!.revokedAt).toBeUndefined();
    });

    it('revokes a token by name and returns it as it was; undefined for a name never used', async () => {
      const token = tokenInput(uniqueFlow('revoke'), 'a');
      await store().saveToken(token);
      const before = await store().revokeToken(token.name, '2026-05-02T08:00:00.000Z');
      expect(before).toMatchObject({ name: token.name, hash: token.hash, revokedAt: undefined });
      const again = await store().revokeToken(token.name, '2026-05-03T08:00:00.000Z');
      expect(again?.revokedAt).toBe('2026-05-02T08:00:00.000Z');
      expect((await store().findTokenByHash(token.hash))?.revokedAt).toBe('2026-05-02T08:00:00.000Z');
      expect(await store().revokeToken(uniqueFlow('never'), '2026-05-02T08:00:00.000Z')).toBeUndefined();
    });

    it('records when a token was last used', async () => {
      const token = tokenInput(uniqueFlow('touch'), 'a');
      await store().saveToken(token);
      await store().touchToken(token.hash, '2026-05-01T09:30:00.000Z');
      expect((await store().findTokenByHash(token.hash))?.lastUsedAt).toBe('2026-05-01T09:30:00.000Z');
    });
  });
}

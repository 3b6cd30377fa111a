/**
 * Contract for API tokens: created by hash, found by hash, listed without
 * hashes, revoked (the row stays), names unique among live tokens, every
 * change audited in the same transaction, and the text guard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiTokenExistsError } from '../../src/store/errors.js';
import { T0, withStore, type StoreHarness } from './harness.js';

const input = (name: string, hash: string, extra: { role?: string; expiresAt?: number | null } = {}) => ({
  name, role: extra.role ?? 'deployer', hash, createdAt: T0, createdBy: 'alice', expiresAt: extra.expiresAt ?? null,
});

export function tokensContract(name: string, make: () => Promise<StoreHarness>, skip: string | undefined): void {
  test(`${name}: tokens are found by hash, listed without it, and their creation is audited`, { skip }, async () => {
    await withStore(make, async (store) => {
      assert.equal(await store.hasApiTokens(), false);
      const ci = await store.createApiToken(input('ci', 'a'.repeat(64), { expiresAt: T0 + 1000 }));
      await store.createApiToken(input('ops', 'b'.repeat(64), { role: 'admin' }));
      assert.equal(await store.hasApiTokens(), true);
      assert.deepEqual({ ...ci, id: 0 }, { id: 0, name: 'ci', role: 'deployer', createdAt: T0, createdBy: 'alice', expiresAt: T0 + 1000, revokedAt: null, revokedBy: null });
      const found = await store.findApiTokenByHash('a'.repeat(64));
      assert.equal(found?.name, 'ci');
      assert.equal(found?.hash, 'a'.repeat(64));
      assert.equal(await store.findApiTokenByHash('c'.repeat(64)), null);
      const listed = await store.listApiTokens();
      assert.deepEqual(listed.map((t) => [t.name, t.role]), [['ci', 'deployer'], ['ops', 'admin']]);
      assert.ok(listed.every((t) => !('hash' in t)), 'a listed token never carries its hash');
      const audit = await store.listAudit({ action: 'token.create' });
      assert.deepEqual(audit.map((a) => [a.actor, a.target]).sort(), [['alice', 'token:ci'], ['alice', 'token:ops']]);
      assert.deepEqual(JSON.parse(audit.find((a) => a.target === 'token:ci')?.detail ?? 'null'), { role: 'deployer', expiresAt: T0 + 1000 });
    });
  });

  test(`${name}: a live name cannot be taken twice; after revocation it can, and the revoked row stays`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.createApiToken(input('ci', 'a'.repeat(64)));
      await assert.rejects(store.createApiToken(input('ci', 'b'.repeat(64))), (err: unknown) => {
        assert.ok(err instanceof ApiTokenExistsError);
        assert.match(err.message, /a token named "ci" exists and is not revoked/);
        return true;
      });
      const revoked = await store.revokeApiToken('ci', 'bob', T0 + 5);
      assert.equal(revoked?.revokedAt, T0 + 5);
      assert.equal(revoked?.revokedBy, 'bob');
      assert.equal(await store.revokeApiToken('ci', 'bob', T0 + 6), null, 'nothing live is left to revoke');
      assert.equal(await store.revokeApiToken('never', 'bob', T0 + 6), null);
      assert.equal((await store.findApiTokenByHash('a'.repeat(64)))?.revokedAt, T0 + 5, 'a revoked token is still found, to be refused as revoked');
      await store.createApiToken({ ...input('ci', 'b'.repeat(64)), createdAt: T0 + 10 });
      const all = await store.listApiTokens();
      assert.deepEqual(all.map((t) => [t.name, t.revokedAt]), [['ci', T0 + 5], ['ci', null]]);
      const audit = await store.listAudit({ target: 'token:ci' });
      assert.deepEqual(audit.map((a) => [a.action, a.actor, a.at]), [['token.create', 'alice', T0 + 10], ['token.revoke', 'bob', T0 + 5], ['token.create', 'alice', T0]]);
    });
  });

  test(`${name}: the same hash cannot be stored twice, and two creations of one name at once leave one token`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.createApiToken(input('a', 'a'.repeat(64)));
      await assert.rejects(store.createApiToken(input('b', 'a'.repeat(64))));
      assert.deepEqual((await store.listApiTokens()).map((t) => t.name), ['a']);
      const results = await Promise.allSettled([store.createApiToken(input('x', 'c'.repeat(64))), store.createApiToken(input('x', 'd'.repeat(64)))]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const refused = results.find((r) => r.status === 'rejected');
      assert.ok(refused?.status === 'rejected' && refused.reason instanceof ApiTokenExistsError);
      assert.equal((await store.listApiTokens()).filter((t) => t.name === 'x').length, 1);
    });
  });

  test(`${name}: the text guard refuses a token name or actor that holds a secret, storing nothing`, { skip }, async () => {
    const guard = (text: string, where: string) => {
      if (text.includes('s3cret')) throw new Error(`secret in ${where}`);
    };
    await withStore(make, async (store) => {
      await assert.rejects(store.createApiToken(input('x-s3cret', 'a'.repeat(64))), /secret in token\.name/);
      await assert.rejects(store.createApiToken({ ...input('x', 'a'.repeat(64)), createdBy: 's3cret' }), /secret in token\.createdBy/);
      assert.equal(await store.hasApiTokens(), false);
      assert.deepEqual(await store.listAudit(), []);
    }, { guard });
  });
}

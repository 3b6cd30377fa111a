/**
 * The store contract: one behaviour suite every backend must pass. Backend
 * test files call storeContract with a harness factory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { SchemaTooNewError } from '../../src/store/errors.js';
import { knownMigrations } from '../../src/store/migrate.js';
import { lockContract } from './contract-locks.js';
import { concurrencyContract } from './contract-concurrency.js';
import { jobsContract } from './contract-jobs.js';
import { recordsContract } from './contract-records.js';
import { tokensContract } from './contract-tokens.js';
import { T0, withStore, type ContractOptions, type StoreHarness } from './harness.js';

export function storeContract(name: string, makeHarness: () => Promise<StoreHarness>, opts: ContractOptions = {}): void {
  const shared = opts.shared ?? true;
  const needsShared = opts.skip ?? (shared ? undefined : 'needs a second connection to the same database');

  test(`${name}: opening twice migrates once and keeps the data`, { skip: needsShared }, async () => {
    await withStore(makeHarness, async (store, h) => {
      await store.upsertRunner({ name: 'r1', labels: ['x'], environments: ['prod'], priority: 1, authorized: true }, T0);
      const again = await h.open();
      try {
        assert.equal((await again.getRunner('r1'))?.priority, 1);
      } finally {
        await again.close();
      }
      const rows = (await h.query('select name from pitcrew_migration order by name')) as { name: string }[];
      assert.deepEqual(rows.map((r) => r.name), knownMigrations());
    });
  });

  test(`${name}: refuses a database whose schema is newer than this pitcrew`, { skip: needsShared }, async () => {
    await withStore(makeHarness, async (store, h) => {
      await store.upsertRunner({ name: 'r1', labels: [], environments: [], priority: 0, authorized: false }, T0);
      await h.query(`insert into pitcrew_migration (name, timestamp) values ('9999_from_a_newer_pitcrew', '2030-01-01T00:00:00.000Z')`);
      await assert.rejects(h.open(), (err: unknown) => {
        assert.ok(err instanceof SchemaTooNewError);
        assert.equal(err.exitCode, ExitCode.usage);
        assert.match(err.message, /9999_from_a_newer_pitcrew/);
        assert.match(err.message, new RegExp(knownMigrations().at(-1) as string));
        assert.match(err.hint ?? '', /upgrade pitcrew/);
        return true;
      });
      // The refusal touched nothing.
      assert.equal((await store.getRunner('r1'))?.name, 'r1');
    });
  });

  test(`${name}: several stores opening a new database at once all migrate and work`, { skip: needsShared }, async () => {
    const h = await makeHarness();
    const stores: Awaited<ReturnType<StoreHarness['open']>>[] = [];
    try {
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => h.open({ busyTimeoutMs: 200 })));
      for (const o of opened) if (o.status === 'fulfilled') stores.push(o.value);
      assert.deepEqual(opened.filter((o) => o.status === 'rejected'), []);
      for (const [i, s] of stores.entries()) await s.appendAudit({ at: T0, actor: `a${i}`, action: 'open', target: 'store', detail: null });
      assert.equal((await stores[0].listAudit()).length, 4);
      const rows = (await h.query('select name from pitcrew_migration')) as { name: string }[];
      assert.deepEqual(rows.map((r) => r.name), knownMigrations());
    } finally {
      for (const s of stores) await s.close();
      await h.dispose();
    }
  });

  recordsContract(name, makeHarness, opts.skip);
  jobsContract(name, makeHarness, opts.skip);
  tokensContract(name, makeHarness, opts.skip);
  lockContract(name, makeHarness, opts.skip);
  concurrencyContract(name, makeHarness, needsShared);
}

/**
 * Contract under contention: several stores (separate connections or pools)
 * on one database race for one environment's lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';
import { T0, waiter, type StoreHarness } from './harness.js';

const CONTENDERS = 5;
const ROUNDS = 4;
const LEASE = 60_000;

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

interface Shared {
  inside: number;
  maxInside: number;
  grants: { owner: string; token: number }[];
}

async function contend(store: Store, id: number, shared: Shared): Promise<void> {
  await store.createDeployment({ id: `dep-${id}`, environment: 'prod', version: '1', digest: 'x', runner: null, actor: 'ci', state: 'running', startedAt: T0 });
  for (let round = 0; round < ROUNDS; round++) {
    const owner = `c${id}-r${round}`;
    await store.enqueueLock('prod', waiter(owner, LEASE), Date.now(), LEASE);
    const deadline = Date.now() + 60_000;
    let token = 0;
    for (;;) {
      const p = await store.pollLock('prod', owner, Date.now(), LEASE);
      if (p.status === 'granted') {
        token = p.fencingToken;
        break;
      }
      assert.notEqual(p.status, 'lost', `${owner} lost its place in the queue`);
      assert.ok(Date.now() < deadline, `${owner} was never granted`);
      await tick();
    }
    shared.inside++;
    shared.maxInside = Math.max(shared.maxInside, shared.inside);
    shared.grants.push({ owner, token });
    await store.appendJournal({ deploymentId: `dep-${id}`, step: 'switch', target: null, phase: 'after', detail: owner, fencingToken: token, at: Date.now() });
    await tick();
    shared.inside--;
    assert.equal(await store.releaseLock('prod', owner), true);
  }
}

export function concurrencyContract(name: string, make: () => Promise<StoreHarness>, skip: string | undefined): void {
  test(`${name}: parallel contenders on separate connections each get the lock alone, with unique increasing tokens`, { skip }, async () => {
    const h = await make();
    const stores: Store[] = [];
    try {
      for (let i = 0; i < CONTENDERS; i++) stores.push(await h.open());
      const shared: Shared = { inside: 0, maxInside: 0, grants: [] };
      await Promise.all(stores.map((s, i) => contend(s, i, shared)));

      assert.equal(shared.maxInside, 1);
      assert.equal(shared.grants.length, CONTENDERS * ROUNDS);
      const tokens = shared.grants.map((g) => g.token);
      for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i] > tokens[i - 1], `token ${tokens[i]} after ${tokens[i - 1]}`);
      const status = await stores[0].lockStatus('prod', Date.now());
      assert.deepEqual([status.holder, status.queue, status.lastFencingToken], [null, [], tokens[tokens.length - 1]]);
      for (let i = 0; i < CONTENDERS; i++) assert.equal((await stores[0].listJournal(`dep-${i}`)).length, ROUNDS);
    } finally {
      for (const s of stores) await s.close();
      await h.dispose();
    }
  });
}

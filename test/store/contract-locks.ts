/**
 * Contract for per-environment locks: FIFO queue, leases, fencing tokens,
 * release rules, and what gets recorded in the audit log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { StaleFencingTokenError } from '../../src/store/errors.js';
import type { LockPoll, Store } from '../../src/store/store.js';
import { T0, waiter, withStore, type StoreHarness } from './harness.js';

const LEASE = 60_000;

async function grant(store: Store, env: string, owner: string, now: number, ttlMs = 10_000): Promise<Extract<LockPoll, { status: 'granted' }>> {
  await store.enqueueLock(env, waiter(owner, ttlMs), now, LEASE);
  const p = await store.pollLock(env, owner, now, LEASE);
  assert.equal(p.status, 'granted', `${owner} should be granted, got ${JSON.stringify(p)}`);
  return p as Extract<LockPoll, { status: 'granted' }>;
}

export function lockContract(name: string, make: () => Promise<StoreHarness>, skip: string | undefined): void {
  test(`${name}: waiters are granted in FIFO order and told their position`, { skip }, async () => {
    await withStore(make, async (store) => {
      for (const [i, o] of ['a', 'b', 'c', 'd'].entries()) await store.enqueueLock('prod', waiter(o), T0 + i, LEASE);
      // The last to enqueue polls first: the head still wins.
      const d = await store.pollLock('prod', 'd', T0 + 10, LEASE);
      assert.deepEqual(d.status === 'waiting' && [d.position, d.ahead, d.holder?.ownerToken], [3, 2, 'a']);
      assert.equal((await store.pollLock('prod', 'a', T0 + 10, LEASE)).status, 'granted');
      const status = await store.lockStatus('prod', T0 + 10);
      assert.equal(status.holder?.ownerToken, 'a');
      assert.deepEqual(status.queue.map((w) => [w.position, w.ownerToken]), [[1, 'b'], [2, 'c'], [3, 'd']]);

      const order: string[] = ['a'];
      let now = T0 + 20;
      for (let round = 0; round < 3; round++) {
        assert.equal(await store.releaseLock('prod', order[order.length - 1]), true);
        now += 10;
        // Everyone still queued polls, tail first; exactly the head gets the lock.
        for (const o of ['d', 'c', 'b'].filter((x) => !order.includes(x))) {
          const p = await store.pollLock('prod', o, now, LEASE);
          if (p.status === 'granted') order.push(o);
        }
      }
      assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    });
  });

  test(`${name}: enqueuing twice keeps one place in the queue`, { skip }, async () => {
    await withStore(make, async (store) => {
      await grant(store, 'prod', 'a', T0);
      const first = await store.enqueueLock('prod', waiter('b'), T0, LEASE);
      const again = await store.enqueueLock('prod', waiter('b'), T0 + 1, LEASE);
      assert.equal(again.ticket, first.ticket);
      assert.equal((await store.enqueueLock('prod', waiter('a'), T0 + 1, LEASE)).ticket, (await store.lockStatus('prod', T0)).holder?.ticket);
      assert.equal((await store.lockStatus('prod', T0 + 1)).queue.length, 1);
    });
  });

  test(`${name}: fencing tokens strictly increase across grants, releases, expiries and force releases`, { skip }, async () => {
    await withStore(make, async (store) => {
      const tokens: number[] = [];
      tokens.push((await grant(store, 'prod', 'a', T0)).fencingToken);
      await store.releaseLock('prod', 'a');
      tokens.push((await grant(store, 'prod', 'b', T0 + 1, 100)).fencingToken);
      tokens.push((await grant(store, 'prod', 'c', T0 + 1000)).fencingToken); // b expired
      await store.forceReleaseLock('prod', 'ops', 'stuck', T0 + 1001);
      tokens.push((await grant(store, 'prod', 'd', T0 + 1002)).fencingToken);
      tokens.push((await grant(store, 'staging', 'e', T0 + 1002)).fencingToken);
      assert.deepEqual(tokens.slice(0, 4), [...tokens.slice(0, 4)].sort((x, y) => x - y));
      assert.equal(new Set(tokens.slice(0, 4)).size, 4);
      assert.equal((await store.lockStatus('prod', T0 + 1002)).lastFencingToken, tokens[3]);
      assert.equal(tokens[4], 1, 'each environment has its own counter');
    });
  });

  test(`${name}: a journal write with a stale fencing token is refused`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await grant(store, 'prod', 'a', T0, 1000);
      await store.createDeployment({ id: 'd1', environment: 'prod', version: '1', digest: 'x', runner: 'runner-a', actor: 'ci', state: 'running', startedAt: T0, fencingToken: a.fencingToken });
      const ev = { deploymentId: 'd1', step: 'switch', target: 'web1', phase: 'before', detail: null, at: T0 };
      await store.appendJournal({ ...ev, fencingToken: a.fencingToken });
      const b = await grant(store, 'prod', 'b', T0 + 5000); // a's lease passed
      await assert.rejects(store.appendJournal({ ...ev, fencingToken: a.fencingToken, phase: 'after' }), (err: unknown) => {
        assert.ok(err instanceof StaleFencingTokenError);
        assert.equal(err.exitCode, ExitCode.unavailable);
        assert.deepEqual([err.fencingToken, err.currentToken], [a.fencingToken, b.fencingToken]);
        return true;
      });
      // A batch with one stale event is refused whole.
      await assert.rejects(store.appendJournalEvents([{ ...ev, fencingToken: b.fencingToken, phase: 'b1' }, { ...ev, fencingToken: a.fencingToken, phase: 'a2' }]), StaleFencingTokenError);
      await store.appendJournal({ ...ev, fencingToken: b.fencingToken, phase: 'rollback' });
      assert.deepEqual((await store.listJournal('d1')).map((e) => e.phase), ['before', 'rollback']);
    });
  });

  test(`${name}: renewing extends a held lease and reports a lost one`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await grant(store, 'prod', 'a', T0, 1000);
      assert.deepEqual(await store.renewLock('prod', 'a', a.fencingToken, T0 + 500, 1000), { status: 'renewed', expiresAt: T0 + 1500 });
      assert.equal((await store.renewLock('prod', 'a', a.fencingToken + 1, T0 + 600, 1000)).status, 'lost');
      await store.enqueueLock('prod', waiter('b'), T0 + 600, LEASE);
      assert.equal((await store.pollLock('prod', 'b', T0 + 2000, LEASE)).status, 'granted');
      const lost = await store.renewLock('prod', 'a', a.fencingToken, T0 + 2001, 1000);
      assert.deepEqual(lost.status === 'lost' && lost.holder?.ownerToken, 'b');
      assert.deepEqual(await store.pollLock('prod', 'a', T0 + 2002, LEASE), { status: 'lost' });
    });
  });

  test(`${name}: a lease that passed cannot be renewed even before anyone else takes it`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await grant(store, 'prod', 'a', T0, 1000);
      assert.deepEqual(await store.renewLock('prod', 'a', a.fencingToken, T0 + 1000, 1000), { status: 'lost', holder: null });
      assert.equal((await store.lockStatus('prod', T0 + 1000)).holder, null);
    });
  });

  test(`${name}: only the owner releases the lock`, { skip }, async () => {
    await withStore(make, async (store) => {
      await grant(store, 'prod', 'a', T0);
      assert.equal(await store.releaseLock('prod', 'intruder'), false);
      assert.equal((await store.lockStatus('prod', T0)).holder?.ownerToken, 'a');
      assert.equal(await store.releaseLock('prod', 'a'), true);
      assert.equal((await store.lockStatus('prod', T0)).holder, null);
      assert.equal(await store.releaseLock('prod', 'a'), false);
    });
  });

  test(`${name}: releasing while queued leaves the queue`, { skip }, async () => {
    await withStore(make, async (store) => {
      await grant(store, 'prod', 'a', T0);
      await store.enqueueLock('prod', waiter('b'), T0, LEASE);
      assert.equal(await store.releaseLock('prod', 'b'), true);
      assert.deepEqual((await store.lockStatus('prod', T0)).queue, []);
    });
  });

  test(`${name}: a force release breaks the holder, is audited, and hands over to the next waiter`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await grant(store, 'prod', 'a', T0);
      await store.enqueueLock('prod', waiter('b'), T0, LEASE);
      const broken = await store.forceReleaseLock('prod', 'alice', 'runner-a is offline', T0 + 10);
      assert.equal(broken?.ownerToken, 'a');
      const [entry] = await store.listAudit({ action: 'lock.force-release' });
      assert.deepEqual([entry.actor, entry.target, entry.at], ['alice', 'prod', T0 + 10]);
      const detail = JSON.parse(entry.detail ?? '{}');
      assert.equal(detail.reason, 'runner-a is offline');
      assert.equal(detail.holder.fencingToken, a.fencingToken);
      const b = await store.pollLock('prod', 'b', T0 + 11, LEASE);
      assert.ok(b.status === 'granted' && b.fencingToken > a.fencingToken);
    });
  });

  test(`${name}: an expired holder is replaced by the next waiter and the expiry is recorded`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await grant(store, 'prod', 'a', T0, 1000);
      await store.enqueueLock('prod', waiter('b'), T0 + 1, LEASE);
      const early = await store.pollLock('prod', 'b', T0 + 999, LEASE);
      assert.deepEqual(early.status === 'waiting' && [early.position, early.holder?.ownerToken], [1, 'a']);
      const b = await store.pollLock('prod', 'b', T0 + 1000, LEASE);
      assert.ok(b.status === 'granted' && b.fencingToken === a.fencingToken + 1);
      const [expired] = await store.listAudit({ action: 'lock.expired' });
      assert.equal(JSON.parse(expired.detail ?? '{}').ownerToken, 'a');
      assert.deepEqual(await store.pollLock('prod', 'a', T0 + 1001, LEASE), { status: 'lost' });
    });
  });

  test(`${name}: a waiter that stops polling is dropped while live waiters keep their place`, { skip }, async () => {
    await withStore(make, async (store) => {
      await grant(store, 'prod', 'holder', T0, 60_000);
      for (const o of ['dead', 'live1', 'live2']) await store.enqueueLock('prod', waiter(o), T0, 1000);
      await store.pollLock('prod', 'live2', T0 + 800, 1000);
      await store.pollLock('prod', 'live1', T0 + 900, 1000);
      // At T0+1500 'dead' missed its lease (T0+1000); the others renewed theirs past it.
      const p = await store.pollLock('prod', 'live2', T0 + 1500, 1000);
      assert.deepEqual(p.status === 'waiting' && [p.position, p.ahead], [2, 1]);
      const status = await store.lockStatus('prod', T0 + 1500);
      assert.deepEqual(status.queue.map((w) => w.ownerToken), ['live1', 'live2']);
      assert.equal(status.holder?.ownerToken, 'holder');
      assert.deepEqual(await store.pollLock('prod', 'dead', T0 + 1501, 1000), { status: 'lost' });
      const dropped = await store.listAudit({ action: 'lock.waiter-dropped' });
      assert.deepEqual(dropped.map((e) => JSON.parse(e.detail ?? '{}').ownerToken), ['dead']);
    });
  });
}

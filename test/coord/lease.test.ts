import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acquireLease, publicLockStatus, storeCoordinator } from '../../src/coord/index.js';
import { openStore } from '../../src/store/index.js';
import { eventually } from '../deploy/fixtures.js';

async function coordinator() {
  const store = await openStore(':memory:');
  return { coord: storeCoordinator(store), close: () => store.close() };
}

test('waiters are granted the lock first-in first-out, each told its position', async () => {
  const { coord, close } = await coordinator();
  try {
    const first = await acquireLease(coord, { environment: 'prod', description: 'A', ttlMs: 60_000, waitMs: 0 });
    const seen: Record<string, number[]> = { B: [], C: [] };
    const order: string[] = [];
    const wait = (name: 'B' | 'C') =>
      acquireLease(coord, { environment: 'prod', description: name, ttlMs: 60_000, waitMs: 30_000, onWaiting: (p) => seen[name].push(p) }, { pollMs: 5 }).then((l) => {
        order.push(name);
        return l;
      });
    const b = wait('B');
    await eventually(() => seen.B.length > 0, 'B is queued');
    const c = wait('C');
    await eventually(() => seen.C.length > 0, 'C is queued');
    assert.deepEqual([seen.B, seen.C], [[1], [2]]);
    await first.release();
    const lb = await b;
    assert.ok(lb.fencingToken > first.fencingToken);
    await eventually(() => seen.C.includes(1), 'C moves up to position 1');
    await lb.release();
    const lc = await c;
    assert.deepEqual(order, ['B', 'C']);
    assert.ok(lc.fencingToken > lb.fencingToken, 'fencing tokens only grow');
    await lc.release();
  } finally {
    await close();
  }
});

test('a held lease is renewed past its TTL and reported lost once someone breaks it', async () => {
  const { coord, close } = await coordinator();
  try {
    const lease = await acquireLease(coord, { environment: 'prod', description: 'A', ttlMs: 300, waitMs: 0 });
    const first = (await coord.lockStatus('prod')).holder!.expiresAt;
    await eventually(async () => (await coord.lockStatus('prod')).holder!.expiresAt > first, 'the lease was renewed');
    let lost = false;
    lease.onLost(() => (lost = true));
    await coord.forceRelease('prod', 'ops', 'holder runner is offline');
    await eventually(() => lost, 'the holder learns it lost the lease');
    assert.equal(lease.lost, true);
    await lease.release();
  } finally {
    await close();
  }
});

test('only the owner releases a lock; another owner token releases nothing', async () => {
  const { coord, close } = await coordinator();
  try {
    const lease = await acquireLease(coord, { environment: 'prod', description: 'A', ttlMs: 60_000, waitMs: 0 });
    assert.equal(await coord.release('prod', 'somebody-else'), false);
    const shown = JSON.stringify(publicLockStatus(await coord.lockStatus('prod')));
    assert.ok(!shown.includes(lease.ownerToken), 'the owner token is never shown');
    assert.match(shown, /"description":"A"/);
    assert.equal((await coord.lockStatus('prod')).holder?.ownerToken, lease.ownerToken);
    await lease.release();
    assert.equal((await coord.lockStatus('prod')).holder, null);
  } finally {
    await close();
  }
});

test('giving up on the queue is exit 3 and leaves the queue', async () => {
  const { coord, close } = await coordinator();
  try {
    const lease = await acquireLease(coord, { environment: 'prod', description: 'A', ttlMs: 60_000, waitMs: 0 });
    let clock = 1_000;
    await assert.rejects(
      acquireLease(coord, { environment: 'prod', description: 'B', ttlMs: 60_000, waitMs: 50 }, { now: () => clock, sleep: async (ms) => void (clock += ms) }),
      (err: Error & { exitCode?: number; code?: string }) => err.exitCode === 3 && err.code === 'lock.timeout',
    );
    assert.deepEqual((await coord.lockStatus('prod')).queue, []);
    await lease.release();
  } finally {
    await close();
  }
});

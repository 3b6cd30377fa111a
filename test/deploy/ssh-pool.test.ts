import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionPool, createLimiter, mapLimit, type Pooled } from '../../src/deploy/transports/ssh-pool.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('mapLimit keeps the order of its items and never runs more than the limit at once', async () => {
  let active = 0;
  let peak = 0;
  const gates = Array.from({ length: 7 }, () => deferred());
  const result = mapLimit([0, 1, 2, 3, 4, 5, 6], 3, async (n) => {
    active += 1;
    peak = Math.max(peak, active);
    await gates[n].promise;
    active -= 1;
    return n * 10;
  });
  for (const g of [...gates].reverse()) g.resolve();
  assert.deepEqual(await result, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(peak, 3);
});

test('mapLimit rejects with the first failure only after every started call has finished', async () => {
  const finished: number[] = [];
  await assert.rejects(mapLimit([1, 2, 3], 3, async (n) => {
    await new Promise((r) => setImmediate(r));
    if (n === 1) throw new Error('target 1 failed');
    finished.push(n);
    return n;
  }), /target 1 failed/);
  assert.deepEqual(finished.sort(), [2, 3]);
  assert.throws(() => createLimiter(0), RangeError);
});

class FakeConnection implements Pooled {
  closed = false;
  ends = 0;
  async end(): Promise<void> {
    this.ends += 1;
    this.closed = true;
  }
}

test('the pool shares one connection per key, ends it with its last user, and dials again once it closed', async () => {
  const pool = new ConnectionPool<FakeConnection>();
  let dials = 0;
  const open = async (): Promise<FakeConnection> => {
    dials += 1;
    return new FakeConnection();
  };
  const [a, b] = await Promise.all([pool.acquire('web-1', open), pool.acquire('web-1', open)]);
  assert.equal(a, b);
  assert.equal(dials, 1);
  await pool.release('web-1', a);
  assert.equal(a.ends, 0);
  await pool.release('web-1', b);
  assert.equal(a.ends, 1);
  const c = await pool.acquire('web-1', open);
  c.closed = true;
  const d = await pool.acquire('web-1', open);
  assert.notEqual(c, d);
  assert.equal(dials, 3);
  await assert.rejects(pool.acquire('web-2', async () => {
    throw new Error('refused');
  }), /refused/);
  await pool.acquire('web-2', open);
  assert.equal(pool.size, 2);
  await pool.closeAll();
  assert.equal(pool.size, 0);
  assert.equal(d.ends, 1);
});

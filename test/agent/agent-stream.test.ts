import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Backoff } from '../../src/agent/backoff.js';
import { AgentStream } from '../../src/agent/stream.js';
import type { AgentSocket, Scheduler } from '../../src/agent/socket.js';

/** Timers that run only when the test says so. */
class ManualScheduler implements Scheduler {
  timers: Array<{ fn: () => void; ms: number; id: number }> = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): number {
    const id = this.next++;
    this.timers.push({ fn, ms, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Runs the earliest-queued timer whose delay matches, and returns its delay. */
  runNext(): number {
    const t = this.timers.shift();
    assert.ok(t, 'a timer should be pending');
    t.fn();
    return t.ms;
  }
}

class FakeSocket extends EventEmitter {
  sent: string[] = [];
  pings = 0;
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000): void {
    this.emit('close', code, Buffer.from(''));
  }
  terminate(): void {
    this.terminated = true;
    this.emit('close', 1006, Buffer.from(''));
  }
  ping(): void {
    this.pings++;
  }
}

function harness(random: () => number) {
  let now = 0;
  const scheduler = new ManualScheduler();
  const sockets: FakeSocket[] = [];
  const headers: Array<Record<string, string>> = [];
  const logs: string[] = [];
  const stream = new AgentStream(
    { url: 'ws://server.test/api/v1/agent/stream?runner=r1', token: 's3cret', pingIntervalMs: 5000 },
    {
      now: () => now,
      scheduler,
      random,
      connect: (_url, o) => {
        const s = new FakeSocket();
        sockets.push(s);
        headers.push(o.headers);
        return s as unknown as AgentSocket;
      },
      log: (m) => void logs.push(m),
    },
    { onOpen: () => undefined, onFrame: () => undefined, onClose: () => undefined },
  );
  return { stream, scheduler, sockets, headers, logs, advance: (ms: number) => (now += ms) };
}

test('backoff ceilings double from 0.5 s to 15 s and each delay is drawn at random under the ceiling', () => {
  const draws = [1, 0.5, 0];
  const b = new Backoff({}, () => draws.shift() ?? 0.999);
  assert.equal(b.next(), 500);
  assert.equal(b.next(), 500); // half of 1000
  assert.equal(b.next(), 0);
  const ceilings: number[] = [];
  for (let i = 0; i < 6; i++) {
    ceilings.push(b.ceilingMs);
    b.next();
  }
  assert.deepEqual(ceilings, [4000, 8000, 15000, 15000, 15000, 15000]);
});

test('a connection that stayed up 30 s starts the backoff over; a shorter one does not', () => {
  const b = new Backoff({}, () => 1);
  b.next();
  b.next();
  b.connectionEnded(29_999);
  assert.equal(b.ceilingMs, 2000);
  b.connectionEnded(30_000);
  assert.equal(b.ceilingMs, 500);
});

test('the stream sends the bearer token and reconnects after a failed attempt with a jittered delay', () => {
  const h = harness(() => 0.5);
  h.stream.start();
  assert.deepEqual(h.headers[0], { authorization: 'Bearer s3cret' });
  h.sockets[0].emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  h.sockets[0].emit('close', 1006, Buffer.from(''));
  assert.equal(h.scheduler.timers.length, 1);
  assert.equal(h.scheduler.runNext(), 250);
  assert.equal(h.sockets.length, 2);
  h.sockets[1].emit('close', 1006, Buffer.from(''));
  assert.equal(h.scheduler.runNext(), 500);
  assert.ok(h.logs.includes('cannot connect to the server'));
});

test('the stream drops a connection whose pong does not come back within a ping interval', () => {
  const h = harness(() => 0);
  h.stream.start();
  h.sockets[0].emit('open');
  assert.equal(h.stream.connected, true);
  assert.equal(h.scheduler.runNext(), 5000);
  assert.equal(h.sockets[0].pings, 1);
  h.sockets[0].emit('pong');
  h.scheduler.runNext();
  assert.equal(h.sockets[0].pings, 2);
  assert.equal(h.sockets[0].terminated, false);
  h.scheduler.runNext();
  assert.equal(h.sockets[0].terminated, true);
  assert.equal(h.stream.connected, false);
  assert.ok(h.logs.includes('no pong from the server: dropping the connection'));
});

test('the stream starts its backoff over after a connection that stayed up 30 s', () => {
  const h = harness(() => 0.999);
  h.stream.start();
  for (let i = 0; i < 3; i++) {
    h.sockets[i].emit('close', 1006, Buffer.from(''));
    h.scheduler.runNext();
  }
  // Three failures: the ceiling is now 4 s.
  h.sockets[3].emit('open');
  h.advance(10_000);
  h.sockets[3].emit('close', 1006, Buffer.from(''));
  const retry = h.scheduler.timers.find((t) => t.ms !== 5000);
  assert.equal(retry?.ms, Math.floor(0.999 * 4000));
  h.scheduler.timers = [];
  retry?.fn();
  h.sockets[4].emit('open');
  h.advance(30_000);
  h.sockets[4].emit('close', 1006, Buffer.from(''));
  assert.deepEqual(h.scheduler.timers.map((t) => t.ms), [Math.floor(0.999 * 500)]);
});

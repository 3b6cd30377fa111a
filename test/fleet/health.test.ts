import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRunner, initialHealthState, type RunnerHealthState, type RunnerState } from '../../src/fleet/health.js';
import type { ProbeResult } from '../../src/agent/probes/types.js';
import { GiB } from '../../src/fleet/thresholds.js';
import { disk, heartbeat, load, memory, serviceDown, serviceUnknown } from './probes.js';

const T0 = 1_700_000_000_000;

/** An online runner, as after a few healthy heartbeats. */
function onlineState(): RunnerHealthState {
  return { state: 'online', reasons: [], badStreak: 0, goodStreak: 5, badKeys: [], since: T0 - 60_000 };
}

/** Feeds one heartbeat per second and returns the state after each. */
function run(start: RunnerHealthState, beats: ProbeResult[][]): { states: RunnerState[]; last: ReturnType<typeof evaluateRunner> } {
  let prev = start;
  const states: RunnerState[] = [];
  let last!: ReturnType<typeof evaluateRunner>;
  beats.forEach((probes, i) => {
    const now = T0 + i * 1000;
    last = evaluateRunner(prev, { now, lastHeartbeatAt: now, probes });
    states.push(last.state);
    prev = last.next;
  });
  return { states, last };
}

const table: Array<{ name: string; start: () => RunnerHealthState; beats: ProbeResult[][]; states: RunnerState[] }> = [
  {
    name: 'one bad heartbeat does not degrade an online runner',
    start: onlineState,
    beats: [heartbeat(disk(0.05)), heartbeat()],
    states: ['online', 'online'],
  },
  {
    name: 'two consecutive bad heartbeats degrade it',
    start: onlineState,
    beats: [heartbeat(disk(0.05)), heartbeat(disk(0.05))],
    states: ['online', 'degraded'],
  },
  {
    name: 'a degraded runner recovers only after three consecutive good heartbeats',
    start: onlineState,
    beats: [heartbeat(load(6)), heartbeat(load(6)), heartbeat(), heartbeat(), heartbeat()],
    states: ['online', 'degraded', 'degraded', 'degraded', 'online'],
  },
  {
    name: 'a bad heartbeat during recovery restarts the count',
    start: onlineState,
    beats: [heartbeat(memory(0.01)), heartbeat(memory(0.01)), heartbeat(), heartbeat(), heartbeat(memory(0.01)), heartbeat(), heartbeat(), heartbeat()],
    states: ['online', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'online'],
  },
  {
    name: 'disk hovering around 10% does not flap: it stays degraded until back above 12%',
    start: onlineState,
    beats: [0.099, 0.098, 0.101, 0.099, 0.102, 0.105, 0.101, 0.119, 0.121, 0.121, 0.121].map((r) => heartbeat(disk(r))),
    states: ['online', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'online'],
  },
  {
    name: 'an online runner just above the threshold stays online',
    start: onlineState,
    beats: [0.101, 0.105, 0.101, 0.11].map((r) => heartbeat(disk(r))),
    states: ['online', 'online', 'online', 'online'],
  },
  {
    name: 'load hovering at the maximum stays degraded until below 80% of it',
    start: onlineState,
    beats: [4.1, 4.2, 3.9, 3.5, 3.3, 3.1, 3.0, 3.0].map((v) => heartbeat(load(v))),
    states: ['online', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'online'],
  },
  {
    name: 'a runner service that is down makes the runner offline at once',
    start: onlineState,
    beats: [heartbeat(serviceDown())],
    states: ['offline'],
  },
  {
    name: 'a runner-service probe that could not answer counts as bad, not down',
    start: onlineState,
    beats: [heartbeat(serviceUnknown()), heartbeat(serviceUnknown())],
    states: ['online', 'degraded'],
  },
  {
    name: 'a runner back from offline is degraded until three good heartbeats, then online',
    start: () => ({ state: 'offline', reasons: ['no heartbeat for 10 s (timeout 3 s)'], badStreak: 0, goodStreak: 0, badKeys: [] }),
    beats: [heartbeat(), heartbeat(), heartbeat()],
    states: ['degraded', 'degraded', 'online'],
  },
  {
    name: 'a runner back from offline with a full disk is degraded at once',
    start: initialHealthState,
    beats: [heartbeat(disk(0.01))],
    states: ['degraded'],
  },
];

for (const c of table) {
  test(`health: ${c.name}`, () => {
    assert.deepEqual(run(c.start(), c.beats).states, c.states);
  });
}

test('reasons name the figure, the threshold and the path', () => {
  const { last } = run(onlineState(), [heartbeat(disk(0.041, 0.5 * GiB)), heartbeat(disk(0.041, 0.5 * GiB), memory(0.032), load(5.2))]);
  assert.equal(last.state, 'degraded');
  assert.deepEqual(last.reasons, [
    'disk free 4.1% < 10% on /home/runner/_work',
    'disk free 512 MiB < 1 GiB on /home/runner/_work',
    'memory available 3.2% < 5%',
    'load 5.20 per core > 4 (1-minute average on 4 cores)',
  ]);
});

test('while recovering, a figure inside the margin says what level it must reach', () => {
  const { last } = run(onlineState(), [heartbeat(disk(0.05)), heartbeat(disk(0.05)), heartbeat(disk(0.11))]);
  assert.deepEqual(last.reasons, ['disk free 11% on /home/runner/_work not yet back above 12% (threshold 10%)']);
});

test('a pending problem shows in findings while the runner is still online', () => {
  const r = evaluateRunner(onlineState(), { now: T0, lastHeartbeatAt: T0, probes: heartbeat(memory(0.01)) });
  assert.equal(r.state, 'online');
  assert.deepEqual(r.reasons, []);
  assert.deepEqual(r.findings, ['memory available 1% < 5%']);
  assert.equal(r.next.badStreak, 1);
});

test('a failed reachability probe degrades with the probe detail', () => {
  const tcp: ProbeResult = { probe: 'tcp:web-1', ok: false, error: 'ECONNREFUSED', detail: 'cannot connect to 10.0.0.5:22: ECONNREFUSED', at: 0 };
  const { last } = run(onlineState(), [heartbeat(tcp), heartbeat(tcp)]);
  assert.equal(last.state, 'degraded');
  assert.deepEqual(last.reasons, ['probe tcp:web-1 failed: cannot connect to 10.0.0.5:22: ECONNREFUSED']);
});

test('no heartbeat for longer than the timeout makes the runner offline; up to the timeout it is not', () => {
  const last = T0;
  const atLimit = evaluateRunner(onlineState(), { now: T0 + 3000, lastHeartbeatAt: last, probes: heartbeat() });
  assert.equal(atLimit.state, 'online');
  const late = evaluateRunner(onlineState(), { now: T0 + 5200, lastHeartbeatAt: last, probes: heartbeat() });
  assert.equal(late.state, 'offline');
  assert.equal(late.changed, true);
  assert.equal(late.previous, 'online');
  assert.deepEqual(late.reasons, ['no heartbeat for 5.2 s (timeout 3 s)']);
  assert.equal(late.next.since, T0 + 5200);
});

test('the heartbeat timeout is configurable', () => {
  const r = evaluateRunner(onlineState(), { now: T0 + 5000, lastHeartbeatAt: T0, probes: heartbeat(), thresholds: { heartbeatTimeoutMs: 10_000 } });
  assert.equal(r.state, 'online');
});

test('a runner never heard from is offline with that reason', () => {
  const r = evaluateRunner(initialHealthState(), { now: T0, probes: [] });
  assert.equal(r.state, 'offline');
  assert.equal(r.changed, false);
  assert.deepEqual(r.reasons, ['no heartbeat received yet']);
});

test('a service-down runner says why and keeps its since while it stays offline', () => {
  const first = evaluateRunner(onlineState(), { now: T0, lastHeartbeatAt: T0, probes: heartbeat(serviceDown()) });
  assert.deepEqual(first.reasons, ['runner service down: runner.service is failed']);
  const second = evaluateRunner(first.next, { now: T0 + 1000, lastHeartbeatAt: T0 + 1000, probes: heartbeat(serviceDown()) });
  assert.equal(second.changed, false);
  assert.equal(second.next.since, T0);
});

test('changed is true exactly on transitions', () => {
  let prev = onlineState();
  const changes: boolean[] = [];
  for (const probes of [heartbeat(disk(0.01)), heartbeat(disk(0.01)), heartbeat(disk(0.01)), heartbeat(), heartbeat(), heartbeat()]) {
    const r = evaluateRunner(prev, { now: T0, lastHeartbeatAt: T0, probes });
    changes.push(r.changed);
    prev = r.next;
  }
  assert.deepEqual(changes, [false, true, false, false, false, true]);
});

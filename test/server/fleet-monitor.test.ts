import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { createServerMetrics, FleetMonitor } from '../../src/server/index.js';
import { buildRoster } from '../../src/server/roster.js';
import { openStore, type Store } from '../../src/store/index.js';
import { heartbeat } from '../fleet/probes.js';
import { TEST_ENV, testConfigYaml } from './harness.js';

const T0 = 1_700_000_000_000;

function monitor(store: Store, clock: { t: number }) {
  const { config } = parseConfigText(testConfigYaml('3s'), 'pitcrew.yml', TEST_ENV);
  return new FleetMonitor({
    roster: buildRoster(config),
    store,
    now: () => clock.t,
    log: () => undefined,
    metrics: createServerMetrics(config, () => clock.t),
    schedule: () => () => undefined,
  });
}

function session() {
  const frames: Array<Record<string, unknown>> = [];
  return { frames, send: (m: object) => void frames.push(m as Record<string, unknown>), close: () => undefined };
}

test('after a restart a runner that was online keeps its state for one heartbeat timeout, then goes offline if its agent stays away', async () => {
  const store = await openStore(':memory:');
  try {
    const clock = { t: T0 };
    await store.upsertRunner({ name: 'primary', labels: [], environments: ['production'], priority: 100, authorized: true }, T0);
    await store.recordHeartbeat('primary', T0 - 60_000, []);
    await store.setRunnerState('primary', 'online', [], T0 - 120_000);
    const fleet = monitor(store, clock);
    await fleet.start();
    assert.equal(fleet.view('primary')?.state, 'online');
    clock.t = T0 + 3000;
    fleet.tick();
    assert.equal(fleet.view('primary')?.state, 'online', 'exactly at the timeout still counts as alive');
    clock.t = T0 + 3001;
    fleet.tick();
    assert.equal(fleet.view('primary')?.state, 'offline');
    assert.match(fleet.view('primary')?.reasons[0] ?? '', /^no heartbeat for /);
    await fleet.stop();
    assert.equal((await store.getRunner('primary'))?.state, 'offline');
    assert.deepEqual(fleet.history('primary').map((h) => h.state), ['online', 'offline']);
  } finally {
    await store.close();
  }
});

test('the silence timer never advances the hysteresis streaks; only heartbeats do', async () => {
  const store = await openStore(':memory:');
  try {
    const clock = { t: T0 };
    const fleet = monitor(store, clock);
    await fleet.start();
    const s = session();
    fleet.connect('primary', s);
    assert.equal(s.frames[0].type, 'welcome');
    fleet.heartbeat('primary', s, { seq: 1, probes: heartbeat() });
    for (let i = 0; i < 10; i++) {
      clock.t += 100;
      fleet.tick();
    }
    fleet.heartbeat('primary', s, { seq: 2, probes: heartbeat() });
    const ack = s.frames.at(-1);
    assert.equal(ack?.type, 'ack');
    assert.equal(ack?.seq, 2);
    assert.deepEqual(ack?.reasons, ['recovering: 2 of 3 consecutive healthy evaluations']);
    await fleet.stop();
  } finally {
    await store.close();
  }
});

test('a runner no longer in the configuration is marked unauthorized at start', async () => {
  const store = await openStore(':memory:');
  try {
    await store.upsertRunner({ name: 'retired', labels: [], environments: ['production'], priority: 10, authorized: true }, T0);
    const fleet = monitor(store, { t: T0 });
    await fleet.start();
    assert.equal((await store.getRunner('retired'))?.authorized, false);
    assert.equal((await store.getRunner('primary'))?.authorized, true);
    assert.equal(fleet.has('retired'), false);
    await fleet.stop();
  } finally {
    await store.close();
  }
});

test('a job reported by the agent makes its runner busy until the agent reports it completed', async () => {
  const store = await openStore(':memory:');
  try {
    const fleet = monitor(store, { t: T0 });
    await fleet.start();
    const s = session();
    fleet.connect('primary', s);
    fleet.jobEvent('primary', s, 'started', { name: 'deploy', jobId: 5 });
    assert.equal(fleet.view('primary')?.currentJob?.name, 'deploy');
    assert.equal(fleet.candidates().find((c) => c.name === 'primary')?.busy, true);
    fleet.jobEvent('primary', s, 'completed', { name: 'deploy', jobId: 5 });
    assert.equal(fleet.view('primary')?.currentJob, null);
    const stale = session();
    fleet.jobEvent('primary', stale, 'started', { name: 'ghost' });
    fleet.heartbeat('primary', stale, { seq: 1, probes: heartbeat() });
    assert.equal(fleet.view('primary')?.currentJob, null, 'frames from a connection that is not current are ignored');
    assert.equal(stale.frames.length, 0);
    await fleet.stop();
  } finally {
    await store.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { ENVIRONMENT_NO_HEALTHY_RUNNER, RUNNER_OFFLINE_HOLDING_LOCK } from '../../src/incidents/index.js';
import { createServerMetrics, FleetMonitor } from '../../src/server/index.js';
import { buildRoster } from '../../src/server/roster.js';
import { openStore, type Store } from '../../src/store/index.js';
import { heartbeat } from '../fleet/probes.js';
import { TEST_ENV, testConfigYaml } from '../server/harness.js';

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
  return { send: () => undefined, close: () => undefined };
}

/** Connects `runner` and sends heartbeats a second apart until it is online. */
function bringOnline(fleet: FleetMonitor, clock: { t: number }, runner: string) {
  const s = session();
  fleet.connect(runner, s);
  for (let seq = 1; fleet.view(runner)?.state !== 'online'; seq++) {
    assert.ok(seq <= 5, `${runner} should be online after a few healthy heartbeats`);
    clock.t += 1000;
    fleet.heartbeat(runner, s, { seq, probes: heartbeat() });
  }
  return s;
}

const kinds = async (store: Store) => (await store.listIncidents('open')).map((i) => `${i.kind} ${i.environment ?? '-'} ${i.runner ?? '-'}`).sort();

test('a runner that goes offline holding a deploy lock opens one incident, resolved when it is online again', async () => {
  const store = await openStore(':memory:');
  try {
    const clock = { t: T0 };
    const fleet = monitor(store, clock);
    await fleet.start();
    bringOnline(fleet, clock, 'stager');
    const s = bringOnline(fleet, clock, 'primary');
    const lastHeartbeat = clock.t;
    await store.enqueueLock('production', { ownerToken: 'job-7', runner: 'primary', description: 'deploy by ci', ttlMs: 600_000 }, clock.t, 30_000);
    assert.equal((await store.pollLock('production', 'job-7', clock.t, 30_000)).status, 'granted');
    clock.t += 400;
    fleet.disconnect('primary', s);
    await fleet.flush();
    const [incident] = await store.listIncidents('open');
    assert.equal(incident.kind, RUNNER_OFFLINE_HOLDING_LOCK);
    assert.equal(incident.runner, 'primary');
    assert.equal(incident.environment, 'production');
    assert.equal(incident.openedAt, lastHeartbeat, 'the problem began at the last heartbeat');
    assert.equal(incident.detectedAt, clock.t);
    assert.match(incident.cause, /runner primary went offline \(agent connection closed\) while holding the deploy lock of production/);

    bringOnline(fleet, clock, 'primary');
    await fleet.stop();
    assert.deepEqual(await kinds(store), []);
    const [resolved] = await store.listIncidents('all');
    assert.equal(resolved.id, incident.id);
    assert.equal(resolved.resolutionNote, 'runner primary is online again');
    assert.equal((await store.listAudit({ action: 'incident.resolve' }))[0].target, `incident:${incident.id}`);
  } finally {
    await store.close();
  }
});

test('a runner going offline without holding a lock opens no lock incident', async () => {
  const store = await openStore(':memory:');
  try {
    const clock = { t: T0 };
    const fleet = monitor(store, clock);
    await fleet.start();
    const s = bringOnline(fleet, clock, 'secondary');
    bringOnline(fleet, clock, 'primary');
    bringOnline(fleet, clock, 'stager');
    await store.enqueueLock('production', { ownerToken: 'job-8', runner: 'primary', description: 'deploy by ci', ttlMs: 600_000 }, clock.t, 30_000);
    await store.pollLock('production', 'job-8', clock.t, 30_000);
    fleet.disconnect('secondary', s);
    await fleet.stop();
    assert.deepEqual(await kinds(store), []);
  } finally {
    await store.close();
  }
});

test('an environment without an online runner opens an incident once the restart grace is over, and only once', async () => {
  const store = await openStore(':memory:');
  try {
    const clock = { t: T0 };
    const fleet = monitor(store, clock);
    await fleet.start();
    clock.t = T0 + 2000;
    fleet.tick();
    await fleet.flush();
    assert.deepEqual(await kinds(store), [], 'agents get one heartbeat timeout to connect');
    clock.t = T0 + 3001;
    fleet.tick();
    fleet.tick();
    await fleet.flush();
    assert.deepEqual(await kinds(store), [`${ENVIRONMENT_NO_HEALTHY_RUNNER} production -`, `${ENVIRONMENT_NO_HEALTHY_RUNNER} staging -`]);
    const production = (await store.listIncidents('open')).find((i) => i.environment === 'production');
    assert.equal(production?.openedAt, T0, 'no runner was ever seen online since the start');
    assert.equal(production?.detectedAt, T0 + 3001);
    assert.match(production?.cause ?? '', /no runner authorized for production is online: primary offline .*, secondary offline/);

    const s = bringOnline(fleet, clock, 'primary');
    await fleet.flush();
    assert.deepEqual(await kinds(store), [`${ENVIRONMENT_NO_HEALTHY_RUNNER} staging -`], 'a runner serving production is online');

    clock.t += 1000;
    fleet.disconnect('primary', s);
    const leftAt = clock.t;
    clock.t += 250;
    fleet.tick();
    await fleet.stop();
    const again = (await store.listIncidents('open')).filter((i) => i.environment === 'production');
    assert.equal(again.length, 1, 'the problem came back: a new incident');
    assert.notEqual(again[0].id, production?.id);
    assert.equal(again[0].openedAt, leftAt, 'it began when the last online runner left');
  } finally {
    await store.close();
  }
});

test('after a restart, runners last known online are not reported until their grace is over', async () => {
  const store = await openStore(':memory:');
  try {
    for (const name of ['primary', 'secondary', 'stager']) {
      await store.upsertRunner({ name, labels: [], environments: [], priority: 1, authorized: true }, T0 - 60_000);
      await store.recordHeartbeat(name, T0 - 1000, []);
      await store.setRunnerState(name, 'online', [], T0 - 60_000);
    }
    const clock = { t: T0 };
    const fleet = monitor(store, clock);
    await fleet.start();
    const s = session();
    fleet.connect('stager', s);
    clock.t = T0 + 3000;
    fleet.heartbeat('stager', s, { seq: 1, probes: heartbeat() });
    fleet.tick();
    await fleet.flush();
    assert.deepEqual(await kinds(store), []);
    clock.t = T0 + 3001;
    fleet.tick();
    await fleet.stop();
    assert.deepEqual(await kinds(store), [`${ENVIRONMENT_NO_HEALTHY_RUNNER} production -`], 'staging has its runner back');
    assert.equal((await store.listIncidents('open'))[0].openedAt, T0 + 3001, 'both production runners went offline when their grace ended');
  } finally {
    await store.close();
  }
});

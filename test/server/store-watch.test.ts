import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseConfigText } from '../../src/config/index.js';
import { openIncidentOnce, RUNNER_OFFLINE_HOLDING_LOCK } from '../../src/incidents/index.js';
import { createServer, type PitcrewServer } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { deployWorkspace, type DeployWorkspace } from '../support/deploy-fixtures.js';

/** The value of the one sample of `name` whose labels include `labels`. */
async function sample(server: PitcrewServer, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await server.app.request('/metrics');
  assert.equal(res.status, 200);
  const found: number[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) found.push(Number(m[3]));
  }
  assert.equal(found.length, 1, `exactly one sample ${name}${JSON.stringify(labels)}`);
  return found[0];
}

async function serverOn(ws: DeployWorkspace): Promise<{ server: PitcrewServer; store: Store; close: () => Promise<void> }> {
  const { config } = parseConfigText(await readFile(ws.configPath, 'utf8'), ws.configPath, {});
  const store = await openStore(ws.dbPath);
  // The watcher's timer never fires here: each test reads with tick().
  const server = createServer({ config, store, schedule: () => () => undefined });
  await server.start();
  return { server, store, close: async () => (await server.stop(), await store.close()) };
}

const prod = { environment: 'prod' };

test('deploys run store-direct by another process reach the server metrics, each counted once', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    assert.equal((await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.result, 'succeeded');
    const { server, close } = await serverOn(ws);
    try {
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_deployments_total', { ...prod, result: 'succeeded' }), 0, 'a deploy finished before the start is not counted');
      assert.equal((await ws.deploy({ artifact: await ws.artifact('2.0.0') })).report.result, 'succeeded');
      assert.equal((await ws.deploy({ artifact: await ws.artifact('3.0.0', { failOn: ['web-1'] }) })).report.result, 'rolled-back');
      await server.storeWatch.tick();
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_deployments_total', { ...prod, result: 'succeeded' }), 1);
      assert.equal(await sample(server, 'pitcrew_deployments_total', { ...prod, result: 'failed' }), 1);
      assert.equal(await sample(server, 'pitcrew_rollbacks_total', { ...prod, reason: 'health_check' }), 1);
      assert.equal(await sample(server, 'pitcrew_rollbacks_total', { ...prod, reason: 'step_failed' }), 0);
      assert.equal(await sample(server, 'pitcrew_rollback_failures_total', prod), 0);
      assert.equal(await sample(server, 'pitcrew_deployment_duration_seconds_count', prod), 2);
      assert.ok((await sample(server, 'pitcrew_deployment_duration_seconds_sum', prod)) > 0);
      assert.equal(await sample(server, 'pitcrew_deploy_lock_wait_seconds_count', prod), 2);
      assert.equal(await sample(server, 'pitcrew_incidents_open'), 1, 'the rolled-back deploy left its incident open');
      assert.equal(await sample(server, 'pitcrew_deploy_lock_held', prod), 0);

      assert.equal((await ws.deploy({ kind: 'rollback' })).report.result, 'succeeded');
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_rollbacks_total', { ...prod, reason: 'manual' }), 1, 'a pitcrew rollback is a manual rollback');
      assert.equal(await sample(server, 'pitcrew_deployments_total', { ...prod, result: 'succeeded' }), 2);
      assert.equal(await sample(server, 'pitcrew_incidents_open'), 0, 'the succeeded rollback resolved the incident');
    } finally {
      await close();
    }
    const again = await serverOn(ws);
    try {
      await again.server.storeWatch.tick();
      assert.equal(await sample(again.server, 'pitcrew_deployments_total', { ...prod, result: 'succeeded' }), 0, 'a restart does not count old deploys again');
      assert.equal(await sample(again.server, 'pitcrew_rollbacks_total', { ...prod, reason: 'health_check' }), 0);
    } finally {
      await again.close();
    }
  } finally {
    await ws.cleanup();
  }
});

test('a failed rollback recorded by the engine counts as failed and as a rollback failure', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const { server, close } = await serverOn(ws);
    try {
      // The first release ever fails: there is nothing to switch back to.
      assert.equal((await ws.deploy({ artifact: await ws.artifact('1.0.0', { failOn: ['web-2'] }) })).report.result, 'rollback-failed');
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_deployments_total', { ...prod, result: 'failed' }), 1);
      assert.equal(await sample(server, 'pitcrew_rollback_failures_total', prod), 1);
      assert.equal(await sample(server, 'pitcrew_rollbacks_total', { ...prod, reason: 'health_check' }), 1);
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

test('lock gauges follow the store: held while a holder is unexpired, queue length, open incidents', async () => {
  const ws = await deployWorkspace();
  try {
    const { server, store, close } = await serverOn(ws);
    try {
      const now = Date.now();
      await store.enqueueLock('prod', { ownerToken: 'a', runner: null, description: 'deploy by ci', ttlMs: 60_000 }, now, 60_000);
      assert.equal((await store.pollLock('prod', 'a', now, 60_000)).status, 'granted');
      await store.enqueueLock('prod', { ownerToken: 'b', runner: null, description: 'deploy by ci', ttlMs: 60_000 }, now, 60_000);
      await store.enqueueLock('prod', { ownerToken: 'c', runner: null, description: 'deploy by ci', ttlMs: 60_000 }, now, 60_000);
      await openIncidentOnce(store, { kind: RUNNER_OFFLINE_HOLDING_LOCK, runner: 'ci-1', environment: 'prod', cause: 'runner ci-1 went offline', startedAt: now, detectedAt: now });
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_deploy_lock_held', prod), 1);
      assert.equal(await sample(server, 'pitcrew_deploy_queue_length', prod), 2);
      assert.equal(await sample(server, 'pitcrew_incidents_open'), 1);
      for (const owner of ['a', 'b', 'c']) await store.releaseLock('prod', owner);
      await server.storeWatch.tick();
      assert.equal(await sample(server, 'pitcrew_deploy_lock_held', prod), 0);
      assert.equal(await sample(server, 'pitcrew_deploy_queue_length', prod), 0);
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

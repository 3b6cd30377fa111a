import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { createServer, listen } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { RefusedUpgrade, TestAgent } from '../support/agent-client.js';
import { startTestServer, TEST_ENV, testConfigYaml, TOKENS } from './harness.js';

test('API routes answer 401 without a token or with a wrong one, never echoing the token', async () => {
  const t = await startTestServer();
  try {
    const none = await t.request('/api/v1/runners', { token: null });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'unauthenticated');
    const res = await t.server.app.request('/api/v1/runners', { headers: { authorization: 'Bearer not-a-real-token-xyz' } });
    assert.equal(res.status, 401);
    const text = await res.text();
    assert.doesNotMatch(text, /not-a-real-token-xyz/);
    assert.equal((await t.request('/healthz', { token: null })).status, 200);
  } finally {
    await t.dispose();
  }
});

test('a role below the one a route needs gets 403 naming the token and the role needed', async () => {
  const t = await startTestServer();
  try {
    const res = await t.request('/api/v1/environments/production/lock/enqueue', { token: 'viewer', method: 'POST', body: { runner: 'primary' } });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.message, 'token look has role viewer, which may not take, renew and release deploy locks; roles that may: deployer, admin');
    assert.equal((await t.request('/api/v1/runners', { token: 'viewer' })).status, 200);
    assert.equal((await t.request('/metrics', { token: null })).status, 401);
  } finally {
    await t.dispose();
  }
});

test('the agent stream refuses a missing token (401), a deployer token (403) and an unknown runner (404) before the upgrade', async () => {
  const t = await startTestServer();
  try {
    const refusal = async (runner: string, token?: string) => {
      const err = await TestAgent.connect(t.url, runner, token).then(
        () => assert.fail('the upgrade should have been refused'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RefusedUpgrade);
      return err;
    };
    assert.equal((await refusal('primary')).status, 401);
    assert.equal((await refusal('primary', TOKENS.deployer)).status, 403);
    const unknown = await refusal('ghost', TOKENS.agent);
    assert.equal(unknown.status, 404);
    assert.match(JSON.parse(unknown.body).error.message, /runner ghost is not in the configuration/);
  } finally {
    await t.dispose();
  }
});

test('a runner not authorized for an environment cannot enqueue for its lock (403)', async () => {
  const t = await startTestServer();
  try {
    const res = await t.request('/api/v1/environments/production/lock/enqueue', { token: 'deployer', method: 'POST', body: { runner: 'stager' } });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'runner-not-authorized');
    assert.match(res.json.error.message, /runner stager may not deploy to production \(its environments: staging\)/);
    const unknown = await t.request('/api/v1/environments/production/lock/enqueue', { token: 'deployer', method: 'POST', body: { runner: 'ghost' } });
    assert.equal(unknown.status, 403);
    const status = await t.request('/api/v1/environments/production/lock', { token: 'viewer' });
    assert.deepEqual(status.json.queue, []);
  } finally {
    await t.dispose();
  }
});

test('an authorized runner takes, renews and releases the lock, the second waits its turn, and status hides owner tokens', async () => {
  const t = await startTestServer();
  try {
    const post = (path: string, body: unknown) => t.request(`/api/v1/environments/production/lock/${path}`, { token: 'deployer', method: 'POST', body });
    const a = await post('enqueue', { runner: 'primary', description: 'deploy v1' });
    assert.equal(a.status, 200);
    const b = await post('enqueue', { runner: 'secondary', description: 'deploy v2' });
    const granted = await post('poll', { ownerToken: a.json.ownerToken });
    assert.equal(granted.json.status, 'granted');
    const waiting = await post('poll', { ownerToken: b.json.ownerToken });
    assert.equal(waiting.json.status, 'waiting');
    assert.equal(waiting.json.position, 1);
    assert.equal(waiting.json.holder.runner, 'primary');
    assert.equal(waiting.json.holder.ownerToken, undefined);
    const status = await t.request('/api/v1/environments/production/lock', { token: 'viewer' });
    assert.equal(status.json.holder.description, 'deploy v1');
    assert.doesNotMatch(JSON.stringify(status.json), new RegExp(a.json.ownerToken));
    const renewed = await post('renew', { ownerToken: a.json.ownerToken, fencingToken: granted.json.fencingToken });
    assert.equal(renewed.json.status, 'renewed');
    assert.deepEqual((await post('release', { ownerToken: a.json.ownerToken })).json, { released: true });
    const next = await post('poll', { ownerToken: b.json.ownerToken });
    assert.equal(next.json.status, 'granted');
    assert.ok(next.json.fencingToken > granted.json.fencingToken);
  } finally {
    await t.dispose();
  }
});

test('bad API input is a 400 naming the field; unknown environments are 404', async () => {
  const t = await startTestServer();
  try {
    const noRunner = await t.request('/api/v1/environments/production/lock/enqueue', { token: 'deployer', method: 'POST', body: {} });
    assert.equal(noRunner.status, 400);
    assert.match(noRunner.json.error.message, /^runner: expected/);
    const badTtl = await t.request('/api/v1/environments/production/lock/enqueue', { token: 'deployer', method: 'POST', body: { runner: 'primary', ttlMs: 'soon' } });
    assert.match(badTtl.json.error.message, /^ttlMs: expected/);
    const badFence = await t.request('/api/v1/environments/production/lock/renew', { token: 'deployer', method: 'POST', body: { ownerToken: 'x', fencingToken: -1 } });
    assert.match(badFence.json.error.message, /^fencingToken: expected/);
    const notJson = await t.server.app.request('/api/v1/environments/production/lock/poll', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.deployer}` },
      body: 'ownerToken=x',
    });
    assert.equal(notJson.status, 400);
    assert.equal((await t.request('/api/v1/select', { token: 'viewer' })).json.error.message, 'env: expected the query parameter ?env=ENVIRONMENT');
    const unknown = await t.request('/api/v1/select?env=prod', { token: 'viewer' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error.message, /known: production, staging/);
    assert.equal((await t.request('/api/v1/environments/prod/lock', { token: 'viewer' })).status, 404);
    assert.equal((await t.request('/api/v1/runners/ghost', { token: 'viewer' })).status, 404);
    assert.equal((await t.request('/api/v1/nothing', { token: 'viewer' })).json.error.code, 'not-found');
  } finally {
    await t.dispose();
  }
});

test('runners list carries state, reasons, environments, priority and heartbeat age; the runner route adds 24 h of history', async () => {
  const t = await startTestServer();
  try {
    const list = await t.request('/api/v1/runners', { token: 'viewer' });
    assert.deepEqual(
      list.json.runners.map((r: { name: string; state: string; priority: number; environments: string[]; lastHeartbeatAgeMs: number | null }) => [r.name, r.state, r.priority, r.environments, r.lastHeartbeatAgeMs]),
      [
        ['primary', 'offline', 1, ['production'], null],
        ['secondary', 'offline', 2, ['production'], null],
        ['stager', 'offline', 3, ['staging'], null],
      ],
    );
    const one = await t.request('/api/v1/runners/primary', { token: 'viewer' });
    assert.ok(Array.isArray(one.json.history));
    assert.equal(one.json.runner.currentJob, null);
  } finally {
    await t.dispose();
  }
});

test('without tokens the server refuses to listen beyond loopback', async () => {
  const { config } = parseConfigText(testConfigYaml(), 'pitcrew.yml', TEST_ENV);
  const store = await openStore(':memory:');
  try {
    const server = createServer({ config, store, tokens: [] });
    await assert.rejects(listen(server, { host: '0.0.0.0', port: 0 }, { authEnabled: false }), /refusing to listen on 0\.0\.0\.0:0 without API tokens/);
    const res = await server.app.request('/api/v1/runners');
    assert.equal(res.status, 200, 'on loopback without tokens every request is let in');
  } finally {
    await store.close();
  }
});

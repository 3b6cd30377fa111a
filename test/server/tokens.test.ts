import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { hashToken } from '../../src/server/api-tokens.js';
import { createServer, listen } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { TestAgent } from '../support/agent-client.js';
import { startTestServer, TEST_ENV, testConfigYaml, TOKENS, type TestServer } from './harness.js';

/** A request with any bearer token (a stored one, say); the body is JSON. */
async function call(t: TestServer, path: string, token: string | null, init: { method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await t.server.app.request(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: JSON.parse(text) };
}

const WRITES: Array<{ method: string; path: string; body: unknown }> = [
  { method: 'POST', path: '/api/v1/environments/production/lock/enqueue', body: { runner: 'primary' } },
  { method: 'POST', path: '/api/v1/environments/production/lock/poll', body: { ownerToken: 'o1' } },
  { method: 'POST', path: '/api/v1/environments/production/lock/renew', body: { ownerToken: 'o1', fencingToken: 1 } },
  { method: 'POST', path: '/api/v1/environments/production/lock/release', body: { ownerToken: 'o1' } },
  { method: 'POST', path: '/api/v1/environments/production/lock/force-release', body: { reason: 'stuck' } },
  { method: 'POST', path: '/api/v1/environments/production/deployments', body: { id: 'd1' } },
  { method: 'PATCH', path: '/api/v1/deployments/d1', body: { state: 'done' } },
  { method: 'POST', path: '/api/v1/deployments/d1/journal', body: {} },
  { method: 'POST', path: '/api/v1/incidents/deploy', body: {} },
  { method: 'POST', path: '/api/v1/incidents/deploy/resolve', body: {} },
  { method: 'POST', path: '/api/v1/tokens', body: { name: 'x', role: 'admin' } },
  { method: 'DELETE', path: '/api/v1/tokens/x', body: undefined },
];

test('a viewer token gets 403 JSON on every write route, and nothing is stored', async () => {
  const t = await startTestServer();
  try {
    for (const w of WRITES) {
      const res = await call(t, w.path, TOKENS.viewer, w);
      assert.equal(res.status, 403, `${w.method} ${w.path}`);
      assert.match(res.type, /application\/json/);
      assert.equal(res.json.error.code, 'forbidden');
      assert.match(res.json.error.message, /^token look has role viewer, which may not /);
    }
    assert.deepEqual((await t.store.lockStatus('production', Date.now())).queue, []);
    assert.deepEqual(await t.store.listDeployments(), []);
    assert.deepEqual(await t.store.listApiTokens(), []);
    assert.deepEqual(await t.store.listAudit(), []);
  } finally {
    await t.dispose();
  }
});

test('an agent token may read, but gets 403 on taking a lock and on creating a token', async () => {
  const t = await startTestServer();
  try {
    const lock = await call(t, '/api/v1/environments/production/lock/enqueue', TOKENS.agent, { method: 'POST', body: { runner: 'primary' } });
    assert.equal(lock.status, 403);
    assert.equal(lock.json.error.message, 'token agents has role agent, which may not take, renew and release deploy locks; roles that may: deployer, admin');
    const create = await call(t, '/api/v1/tokens', TOKENS.agent, { method: 'POST', body: { name: 'mine', role: 'admin' } });
    assert.equal(create.status, 403);
    assert.match(create.json.error.message, /may not list, create and revoke API tokens; roles that may: admin$/);
    assert.equal((await call(t, '/api/v1/runners', TOKENS.agent)).status, 200);
    assert.deepEqual((await t.store.lockStatus('production', Date.now())).queue, []);
    assert.deepEqual(await t.store.listApiTokens(), []);
    assert.deepEqual(await t.store.listAudit(), []);
    // A deployer may not open the agent stream, nor manage tokens.
    assert.equal((await call(t, '/api/v1/tokens', TOKENS.deployer)).status, 403);
  } finally {
    await t.dispose();
  }
});

test('an admin creates a token through the API; it works at once, is kept hashed, and stops at its revocation with 401 token-revoked', async () => {
  const t = await startTestServer();
  try {
    const created = await call(t, '/api/v1/tokens', TOKENS.admin, { method: 'POST', body: { name: 'ci-2', role: 'deployer', expires: '30d' } });
    assert.equal(created.status, 201);
    const value: string = created.json.value;
    assert.match(value, /^pcr_[0-9a-f]{64}$/);
    assert.equal(created.json.token.createdBy, 'ops');
    const stored = await t.store.findApiTokenByHash(hashToken(value));
    assert.equal(stored?.name, 'ci-2');
    assert.ok(stored !== null && stored.expiresAt !== null && stored.expiresAt > stored.createdAt);

    const listed = await call(t, '/api/v1/tokens', TOKENS.admin);
    assert.deepEqual(listed.json.tokens.map((x: { name: string }) => x.name), ['ci-2']);
    assert.doesNotMatch(JSON.stringify(listed.json), new RegExp(`${value}|${hashToken(value)}`));

    const enq = await call(t, '/api/v1/environments/production/lock/enqueue', value, { method: 'POST', body: { runner: 'primary' } });
    assert.equal(enq.status, 200);
    const dup = await call(t, '/api/v1/tokens', TOKENS.admin, { method: 'POST', body: { name: 'ci-2', role: 'viewer' } });
    assert.equal(dup.status, 409);
    assert.match(dup.json.error.message, /a token named "ci-2" exists and is not revoked/);
    const configured = await call(t, '/api/v1/tokens', TOKENS.admin, { method: 'POST', body: { name: 'ops', role: 'viewer' } });
    assert.equal(configured.status, 409);
    const badRole = await call(t, '/api/v1/tokens', TOKENS.admin, { method: 'POST', body: { name: 'z', role: 'boss' } });
    assert.equal(badRole.status, 400);
    assert.equal(badRole.json.error.message, 'role: expected one of viewer, deployer, agent, admin');

    assert.equal((await call(t, '/api/v1/tokens/ci-2', TOKENS.admin, { method: 'DELETE' })).status, 200);
    const refused = await call(t, '/api/v1/environments/production/lock/poll', value, { method: 'POST', body: { ownerToken: enq.json.ownerToken } });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'token-revoked');
    assert.match(refused.json.error.message, /^token ci-2 was revoked at /);
    assert.doesNotMatch(JSON.stringify(refused.json), new RegExp(value));
    assert.equal((await call(t, '/api/v1/tokens/ci-2', TOKENS.admin, { method: 'DELETE' })).status, 404);
    // The server keeps serving everyone else.
    assert.equal((await call(t, '/healthz', null)).status, 200);
    assert.equal((await call(t, '/api/v1/runners', TOKENS.viewer)).status, 200);

    const audit = await t.store.listAudit();
    assert.deepEqual(audit.map((a) => [a.action, a.actor, a.target]).reverse(), [
      ['token.create', 'ops', 'token:ci-2'],
      ['lock.enqueue', 'ci-2', 'production'],
      ['token.revoke', 'ops', 'token:ci-2'],
    ]);
  } finally {
    await t.dispose();
  }
});

test('an expired stored token is refused with 401 token-expired and nothing is stored', async () => {
  const t = await startTestServer();
  try {
    const value = 'pcr_' + 'e'.repeat(64);
    await t.store.createApiToken({ name: 'old', role: 'deployer', hash: hashToken(value), createdAt: Date.now() - 10_000, createdBy: 'test', expiresAt: Date.now() - 1000 });
    const res = await call(t, '/api/v1/environments/production/lock/enqueue', value, { method: 'POST', body: { runner: 'primary' } });
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'token-expired');
    assert.deepEqual((await t.store.lockStatus('production', Date.now())).queue, []);
    assert.deepEqual((await t.store.listAudit()).map((a) => a.action), ['token.create']);
  } finally {
    await t.dispose();
  }
});

test('lock and deployment writes are audited with the token name: enqueue, grant, release, deployment, journal, force release', async () => {
  const t = await startTestServer();
  try {
    const post = (path: string, body: unknown, token = TOKENS.deployer) => call(t, `/api/v1/environments/production/lock/${path}`, token, { method: 'POST', body });
    const a = await post('enqueue', { runner: 'primary', description: 'deploy v1' });
    const granted = await post('poll', { ownerToken: a.json.ownerToken });
    await post('poll', { ownerToken: a.json.ownerToken });
    await post('renew', { ownerToken: a.json.ownerToken, fencingToken: granted.json.fencingToken });
    const dep = { id: 'd1', version: '1', digest: 'sha256:ab', runner: 'primary', actor: 'alice', state: 'running', startedAt: 1, fencingToken: granted.json.fencingToken };
    assert.equal((await call(t, '/api/v1/environments/production/deployments', TOKENS.deployer, { method: 'POST', body: dep })).status, 201);
    const ev = { step: 'upload', target: null, phase: 'start', detail: null, fencingToken: granted.json.fencingToken, at: 2 };
    assert.equal((await call(t, '/api/v1/deployments/d1/journal', TOKENS.deployer, { method: 'POST', body: ev })).status, 201);
    // Several events in one request: stored in order, one audit entry for the request.
    const batch = await call(t, '/api/v1/deployments/d1/journal', TOKENS.deployer, { method: 'POST', body: { events: [{ ...ev, target: 'web-1' }, { ...ev, target: 'web-2' }] } });
    assert.equal(batch.status, 201);
    assert.deepEqual((batch.json.events as Array<{ seq: number; target: string }>).map((e) => [e.seq, e.target]), [[2, 'web-1'], [3, 'web-2']]);
    for (const body of [{ events: [] }, { events: [ev], extra: 1 }, { events: [{ ...ev, fencingToken: 'x' }] }, { events: Array.from({ length: 1001 }, () => ev) }]) {
      const bad = await call(t, '/api/v1/deployments/d1/journal', TOKENS.deployer, { method: 'POST', body });
      assert.equal(bad.status, 400, JSON.stringify(bad.json).slice(0, 200));
    }
    assert.deepEqual((await t.store.listJournal('d1')).map((e) => e.seq), [1, 2, 3], 'a refused request stores nothing');
    assert.equal((await call(t, '/api/v1/deployments/d1', TOKENS.deployer, { method: 'PATCH', body: { state: 'done' } })).status, 200);
    await post('release', { ownerToken: a.json.ownerToken });
    await post('enqueue', { runner: 'primary' });
    await post('force-release', { reason: 'stuck' }, TOKENS.admin);
    const audit = (await t.store.listAudit()).reverse();
    assert.deepEqual(audit.map((x) => [x.action, x.actor]), [
      ['lock.enqueue', 'ci'], ['lock.grant', 'ci'], ['deployment.create', 'ci'], ['journal.append', 'ci'], ['journal.append', 'ci'], ['deployment.update', 'ci'],
      ['lock.release', 'ci'], ['lock.enqueue', 'ci'], ['lock.force-release', 'ops'],
    ]);
  } finally {
    await t.dispose();
  }
});

test('without configured tokens the server lets loopback callers in until a token is created in the store', async () => {
  const { config } = parseConfigText(testConfigYaml(), 'pitcrew.yml', TEST_ENV);
  const store = await openStore(':memory:');
  try {
    const server = createServer({ config, store, tokens: [] });
    assert.equal(await server.authEnabled(), false);
    assert.equal((await server.app.request('/api/v1/runners')).status, 200);
    const value = 'pcr_' + 'a'.repeat(64);
    await store.createApiToken({ name: 'first', role: 'admin', hash: hashToken(value), createdAt: Date.now(), createdBy: 'test', expiresAt: null });
    assert.equal((await server.app.request('/api/v1/runners')).status, 401);
    assert.equal((await server.app.request('/api/v1/runners', { headers: { authorization: `Bearer ${value}` } })).status, 200);
    await store.revokeApiToken('first', 'test', Date.now());
    assert.equal((await server.app.request('/api/v1/runners')).status, 401, 'revoking every token does not open the server again');
    assert.equal(await server.authEnabled(), true);
  } finally {
    await store.close();
  }
});

test('an agent stream opened with a stored token is closed (1008) at the next ping after the token is revoked', async () => {
  const { config } = parseConfigText(testConfigYaml(), 'pitcrew.yml', TEST_ENV);
  const store = await openStore(':memory:');
  const server = createServer({ config, store, tokens: [], pingEveryMs: 50 });
  const listening = await listen(server, { host: '127.0.0.1', port: 0 }, { authEnabled: true });
  try {
    const value = 'pcr_' + 'b'.repeat(64);
    await store.createApiToken({ name: 'agent-1', role: 'agent', hash: hashToken(value), createdAt: Date.now(), createdBy: 'test', expiresAt: null });
    const agent = await TestAgent.connect(listening.url, 'primary', value);
    await store.revokeApiToken('agent-1', 'test', Date.now());
    const closed = await Promise.race([agent.closed, new Promise<null>((done) => setTimeout(() => done(null), 5000).unref())]);
    assert.deepEqual(closed, { code: 1008, reason: 'token no longer accepted' });
  } finally {
    await server.stop();
    await listening.close();
    await store.close();
  }
});

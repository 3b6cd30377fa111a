import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acquireLease, httpCoordinator, type DeployCoordinator } from '../../src/coord/index.js';
import { ExitCode, PitcrewError, UnavailableError, UsageError } from '../../src/errors.js';
import { StaleFencingTokenError } from '../../src/store/index.js';
import { startTestServer, TOKENS, type TestServer } from '../server/harness.js';

const noSleep = () => Promise.resolve();

function coordFor(t: TestServer, token: keyof typeof TOKENS = 'deployer', runner = 'stager'): DeployCoordinator {
  return httpCoordinator({ url: t.url, token: TOKENS[token], runner, sleep: noSleep });
}

const lease = (coord: DeployCoordinator, description = 'deploy 1.0') =>
  acquireLease(coord, { environment: 'staging', description, runner: 'stager', ttlMs: 30_000, waitMs: 5_000 }, { pollMs: 5 });

const deployment = (id: string, fencingToken: number) => ({
  id, environment: 'staging', version: '1.0', digest: 'ab'.repeat(32), runner: 'stager', actor: 'alice', state: 'running', startedAt: 1000, fencingToken,
});

test('a deployer creates, updates, journals and lists a deployment through the server, and it lands in the server store', async () => {
  const t = await startTestServer();
  try {
    const coord = coordFor(t);
    const l = await lease(coord);
    await coord.createDeployment(deployment('d-1', l.fencingToken));
    const events = await coord.appendJournal([
      { deploymentId: 'd-1', step: 'plan', target: null, phase: 'started', detail: '{"x":1}', fencingToken: l.fencingToken, at: 1001 },
      { deploymentId: 'd-1', step: 'plan', target: null, phase: 'succeeded', detail: null, fencingToken: l.fencingToken, at: 1002 },
    ]);
    assert.deepEqual(events.map((e) => [e.seq, e.phase]), [[1, 'started'], [2, 'succeeded']]);
    const updated = await coord.updateDeployment('d-1', { state: 'succeeded', result: 'succeeded', finishedAt: 2000 });
    assert.equal(updated.result, 'succeeded');
    assert.deepEqual((await coord.listDeployments({ environment: 'staging', result: 'succeeded', limit: 5 })).map((d) => d.id), ['d-1']);
    assert.deepEqual((await coord.listJournal('d-1')).map((e) => e.step), ['plan', 'plan']);
    assert.equal((await t.store.getDeployment('d-1'))?.state, 'succeeded');
    assert.equal((await t.store.listJournal('d-1'))[0].detail, '{"x":1}');
    const status = await coord.lockStatus('staging');
    assert.equal(status.holder?.fencingToken, l.fencingToken);
    assert.equal(status.holder?.ownerToken, '', 'the server never sends owner tokens');
    await l.release();
    assert.equal((await coord.lockStatus('staging')).holder, null);
  } finally {
    await t.dispose();
  }
});

test('a deployment is refused unless the runner holds the lock with the fencing token it names', async () => {
  const t = await startTestServer();
  try {
    const coord = coordFor(t);
    const free = await coord.createDeployment(deployment('d-2', 1)).then(() => assert.fail('created without a lock'), (e: unknown) => e);
    assert.ok(free instanceof UnavailableError);
    assert.equal(free.code, 'lock.not-held');
    assert.match(free.message, /does not hold the lock of staging with fencing token 1: it is free/);
    const l = await lease(coord);
    const wrong = await coord.createDeployment(deployment('d-2', l.fencingToken + 1)).catch((e: unknown) => e);
    assert.ok(wrong instanceof UnavailableError);
    assert.equal(wrong.code, 'lock.not-held');
    assert.equal(await t.store.getDeployment('d-2'), null);
    await l.release();
  } finally {
    await t.dispose();
  }
});

test('a journal write with a stale fencing token is answered 409 and thrown as StaleFencingTokenError', async () => {
  const t = await startTestServer();
  try {
    const coord = coordFor(t);
    const first = await lease(coord, 'first');
    await coord.createDeployment(deployment('d-3', first.fencingToken));
    const broken = await coordFor(t, 'admin').forceRelease('staging', 'bob', 'runner gone');
    assert.equal(broken?.fencingToken, first.fencingToken);
    const second = await lease(coord, 'second');
    const err = await coord
      .appendJournal([{ deploymentId: 'd-3', step: 'stage', target: 'web-1', phase: 'started', detail: null, fencingToken: first.fencingToken, at: 5 }])
      .then(() => assert.fail('a stale token was accepted'), (e: unknown) => e);
    assert.ok(err instanceof StaleFencingTokenError);
    assert.equal(err.exitCode, ExitCode.unavailable);
    assert.equal(err.currentToken, second.fencingToken);
    assert.deepEqual(await t.store.listJournal('d-3'), []);
    await second.release();
  } finally {
    await t.dispose();
  }
});

test('force release needs the admin role and is audited with the token name as actor', async () => {
  const t = await startTestServer();
  try {
    const l = await lease(coordFor(t));
    const refused = await coordFor(t, 'deployer').forceRelease('staging', 'bob', 'stuck').catch((e: unknown) => e);
    assert.ok(refused instanceof UsageError);
    assert.equal(refused.code, 'server.forbidden');
    assert.match(refused.message, /token ci has role deployer, which may not break another holder's deploy lock; roles that may: admin/);
    await coordFor(t, 'admin').forceRelease('staging', 'bob', 'stuck');
    const audit = await t.store.listAudit({ action: 'lock.force-release' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, 'ops');
    assert.match(audit[0].detail ?? '', /stuck \(requested as bob\)/);
    assert.equal(l.fencingToken, 1);
  } finally {
    await t.dispose();
  }
});

test('bad input is answered 400 naming the field, an unknown deployment 404', async () => {
  const t = await startTestServer();
  try {
    const bad = await t.request('/api/v1/environments/staging/deployments', { method: 'POST', token: 'deployer', body: { ...deployment('d-4', 1), startedAt: 'soon' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /^startedAt: expected number, got string/);
    const extra = await t.request('/api/v1/deployments/x/journal', { method: 'POST', token: 'deployer', body: {} });
    assert.equal(extra.status, 404);
    const patch = await t.request('/api/v1/deployments/nope', { method: 'PATCH', token: 'deployer', body: { state: 'done' } });
    assert.equal(patch.status, 404);
    assert.equal(patch.json.error.code, 'unknown-deployment');
    const limit = await t.request('/api/v1/deployments?limit=0', { token: 'viewer' });
    assert.equal(limit.status, 400);
    assert.match(limit.json.error.message, /^limit: expected 1 or more/);
    const unknownEnv = await t.request('/api/v1/environments/nowhere/deployments', { method: 'POST', token: 'deployer', body: deployment('d-5', 1) });
    assert.equal(unknownEnv.status, 404);
    const strayField = await t.request('/api/v1/environments/staging/lock/force-release', { method: 'POST', token: 'admin', body: { reason: 'x', who: 'y' } });
    assert.equal(strayField.status, 400);
    assert.match(strayField.json.error.message, /^body: expected no field who/);
    const missing = await coordFor(t).listJournal('nope').catch((e: unknown) => e);
    assert.ok(missing instanceof UsageError);
    assert.match(missing.message, /deployment nope does not exist/);
  } finally {
    await t.dispose();
  }
});

test('a runner not authorized for the environment, or no runner at all, is refused with a hint', async () => {
  const t = await startTestServer();
  try {
    const other = await lease(coordFor(t, 'deployer', 'primary')).catch((e: unknown) => e);
    assert.ok(other instanceof UsageError);
    assert.equal(other.code, 'server.runner-not-authorized');
    assert.match(other.message, /runner primary may not deploy to staging/);
    assert.match(other.hint ?? '', /RUNNER_NAME is primary/);
    const nameless = httpCoordinator({ url: t.url, token: TOKENS.deployer });
    const none = await nameless.enqueue('staging', { ownerToken: 'o-1', description: 'x', ttlMs: 30_000 }).catch((e: unknown) => e);
    assert.ok(none instanceof UsageError);
    assert.match(none.message, /RUNNER_NAME is not set/);
    const anonymous = await httpCoordinator({ url: t.url, runner: 'stager' }).lockStatus('staging').catch((e: unknown) => e);
    assert.ok(anonymous instanceof UsageError);
    assert.equal(anonymous.code, 'server.unauthenticated');
  } finally {
    await t.dispose();
  }
});

test('connection errors are retried for idempotent calls only, then reported as unavailable (exit 3)', async () => {
  const calls: string[] = [];
  const down: typeof fetch = async (input, init) => {
    calls.push(`${init?.method} ${new URL(String(input)).pathname}`);
    throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
  };
  const coord = httpCoordinator({ url: 'http://127.0.0.1:9', token: 't', runner: 'stager', fetch: down, sleep: noSleep, retries: 2 });
  const read = await coord.lockStatus('staging').catch((e: unknown) => e);
  assert.ok(read instanceof UnavailableError);
  assert.match(read.message, /cannot reach the pitcrew server at http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED/);
  assert.equal(calls.length, 3);
  calls.length = 0;
  const write = await coord.appendJournal([{ deploymentId: 'd', step: 's', target: null, phase: 'started', detail: null, fencingToken: 1, at: 1 }]).catch((e: unknown) => e);
  assert.ok(write instanceof PitcrewError);
  assert.equal(write.exitCode, ExitCode.unavailable);
  assert.deepEqual(calls, ['POST /api/v1/deployments/d/journal']);
  const badUrl = (() => {
    try {
      return httpCoordinator({ url: 'not a url' });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(badUrl instanceof UsageError);
});

test('a deployer opens a deploy incident once through the server and a later success resolves it; fleet kinds are refused', async () => {
  const t = await startTestServer();
  try {
    const coord = coordFor(t);
    const req = { kind: 'deploy.rolled-back', environment: 'staging', deploymentId: 'd-9', cause: 'health check failed on web-2', startedAt: 1000, detectedAt: 1001 };
    const first = await coord.openIncident(req);
    assert.equal(first.opened, true);
    assert.deepEqual(await coord.openIncident(req), { id: first.id, opened: false });
    assert.equal((await t.store.listIncidents('open')).length, 1);
    assert.equal(await coord.resolveIncidents({ type: 'deploy-succeeded', environment: 'staging' }, 5000, 'deploy 1.1 succeeded'), 1);
    assert.equal((await t.store.listIncidents('open')).length, 0);
    const refused = await coord.openIncident({ ...req, kind: 'runner.offline-holding-lock' }).then(() => assert.fail('opened'), (e: unknown) => e);
    assert.ok(refused instanceof UsageError, String(refused));
  } finally {
    await t.dispose();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import { openStore, type Store } from '../../src/store/index.js';
import { makeArtifact, sha256 } from '../deploy/fixtures.js';
import { doctor, tempDir, writeConfig } from './helpers.js';

const ENV = { PITCREW_AGENT_URL: 'http://127.0.0.1:1' };

/** An environment of two local targets, both on release 1.0.0, and a store holding one successful deploy. */
async function environment(t: { after: (fn: () => void | Promise<void>) => void }) {
  const dir = tempDir(t);
  const folders = ['web-1', 'web-2'].map((n) => join(dir, n));
  for (const f of folders) mkdirSync(f);
  writeConfig(
    dir,
    `project: shop
server:
  database: ./pitcrew.db
environments:
  production:
    transport: local
    targets:
      - { name: web-1, folder: ${folders[0]} }
      - { name: web-2, folder: ${folders[1]} }
`,
  );
  const build = async (version: string) => {
    const file = await makeArtifact(dir, `app-${version}.tar.gz`, { VERSION: `${version}\n` });
    const digest = sha256(readFileSync(file));
    return { id: releaseIdFor(version, digest), file, digest };
  };
  const sessions = await Promise.all(folders.map((folder, i) => localTransport().open({ name: `web-${i + 1}`, folder })));
  t.after(async () => void (await Promise.all(sessions.map((s) => s.close()))));
  const v1 = await build('1.0.0');
  for (const s of sessions) {
    await s.stage(v1.id, v1.file, v1.digest);
    await s.switchTo(v1.id, 1);
  }
  const store = await openStore(join(dir, 'pitcrew.db'));
  t.after(() => store.close());
  const now = Date.now();
  await store.createDeployment({ id: 'd-1', environment: 'production', version: '1.0.0', digest: v1.digest, runner: 'ci-1', actor: 'alice', state: 'succeeded', startedAt: now - 120_000, fencingToken: 1 });
  await store.updateDeployment('d-1', { finishedAt: now - 60_000, result: 'succeeded' });
  return { dir, sessions, store, build, v1, now };
}

test('a healthy environment passes every check and exits 0', async (t) => {
  const { dir } = await environment(t);
  const run = await doctor(['--env', 'production'], ENV, dir);
  const notPassing = run.report.checks.filter((c) => c.status !== 'pass');
  assert.deepEqual(notPassing, []);
  assert.equal(run.code, 0);
  assert.match(run.check('targets.current').evidence[0], /^current 1\.0\.0-[0-9a-f]{12}: web-1, web-2$/);
  assert.match(run.out, /0 warn, 0 fail/);
});

test('an unfinished journal with no lock held fails pointing at pitcrew recover and the interrupted-deploy runbook', async (t) => {
  const { dir, store, now } = await environment(t);
  await store.createDeployment({ id: 'd-2', environment: 'production', version: '1.1.0', digest: 'f'.repeat(64), runner: 'ci-1', actor: 'alice', state: 'running', startedAt: now - 30_000, fencingToken: 2 });
  await store.appendJournal({ deploymentId: 'd-2', step: 'stage', target: 'web-1', phase: 'started', detail: null, fencingToken: 2, at: now - 29_000 });
  await store.appendJournal({ deploymentId: 'd-2', step: 'stage', target: 'web-1', phase: 'succeeded', detail: null, fencingToken: 2, at: now - 28_000 });
  await store.appendJournal({ deploymentId: 'd-2', step: 'switch', target: 'web-1', phase: 'started', detail: null, fencingToken: 2, at: now - 27_000 });
  const run = await doctor(['--env', 'production'], ENV, dir);
  const check = run.check('deploy.unfinished');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence[0], /deployment d-2 \(1\.1\.0, runner ci-1\).*last journal event #3: switch on web-1 started/);
  assert.equal(check.fix, 'pitcrew recover production');
  assert.equal(check.runbook, 'docs/runbooks/interrupted-deploy.md');
  assert.equal(run.code, 1);
});

test('targets on different current releases fail targets.current', async (t) => {
  const { dir, sessions, build } = await environment(t);
  const v2 = await build('1.1.0');
  await sessions[1].stage(v2.id, v2.file, v2.digest);
  await sessions[1].switchTo(v2.id, 2);
  const run = await doctor(['--env', 'production'], ENV, dir);
  const check = run.check('targets.current');
  assert.equal(check.status, 'fail');
  assert.deepEqual(check.evidence.map((e) => e.replace(/-[0-9a-f]{12}/, '')).sort(), ['current 1.0.0: web-1', 'current 1.1.0: web-2']);
  assert.equal(check.fix, 'pitcrew recover production');
  assert.equal(run.code, 1);
});

test('a release marked bad is a warning naming the target and the release', async (t) => {
  const { dir, sessions, build, v1 } = await environment(t);
  const v2 = await build('1.1.0');
  for (const s of sessions) {
    await s.stage(v2.id, v2.file, v2.digest);
    await s.switchTo(v2.id, 2);
    await s.switchTo(v1.id, 2);
  }
  await sessions[0].markRelease(v2.id, 'bad');
  const run = await doctor(['--env', 'production'], ENV, dir);
  const check = run.check('targets.bad-releases');
  assert.equal(check.status, 'warn');
  assert.deepEqual(check.evidence, [`web-1: marked bad: ${v2.id}`]);
  assert.equal(check.runbook, 'docs/runbooks/deploy-failed.md');
  assert.equal(run.code, 0);
});

test('a lock whose lease passed fails lock.stale with the stale-lock runbook', async (t) => {
  const { dir, store, now } = await environment(t);
  await grantExpired(store, now);
  const run = await doctor(['--env', 'production'], ENV, dir);
  const check = run.check('lock.stale');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence[0], /the lease of ci-1 \(token \d+\) passed .* ago and was not renewed/);
  assert.equal(check.runbook, 'docs/runbooks/stale-lock.md');
  assert.equal(check.fix, 'pitcrew recover production');
  assert.equal(run.check('lock.state').status, 'pass');
});

async function grantExpired(store: Store, now: number): Promise<void> {
  const at = now - 600_000;
  await store.enqueueLock('production', { ownerToken: 'owner-1', runner: 'ci-1', description: 'deploy 1.1.0', ttlMs: 60_000 }, at, 30_000);
  const poll = await store.pollLock('production', 'owner-1', at, 30_000);
  assert.equal(poll.status, 'granted');
}

test('a target folder that is gone fails targets.reachable', async (t) => {
  const { dir } = await environment(t);
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'web-2'), { recursive: true, force: true });
  const run = await doctor(['--env', 'production'], ENV, dir);
  const check = run.check('targets.reachable');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence.join('\n'), /web-2 \(.*web-2\): /);
  assert.equal(check.runbook, 'docs/runbooks/network-unreachable.md');
});

/**
 * Scenario 1: a healthy primary runner: the deploy goes through it and every
 * target ends on the new release.
 *
 * Real server and agents (primary, secondary), three real sshd hosts as
 * targets, real artifacts. `pitcrew select` names the runner; `pitcrew deploy`
 * runs as that runner (RUNNER_NAME, as in a GitHub Actions job) against the
 * store the server uses; then the disks of the hosts, `pitcrew status`, the
 * journal in the store and `pitcrew report` must all tell the same story.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployFleet, ENV, scenarioScope, TARGET_NAMES } from './support/index.js';

test('with a healthy primary, select names it and its deploy puts every ssh target on the new release, journaled and counted', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'ssh' });
  const { fleet } = df;
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  await fleet.waitForState('primary', 'online');
  await fleet.waitForState('secondary', 'online');

  const chosen = await fleet.cli(['select', '--env', ENV]);
  assert.deepEqual([chosen.code, chosen.stdout], [0, 'primary\n'], chosen.stderr);

  const artifact = await df.release('1.1.0');
  const run = await df.deploy(artifact, { runner: chosen.stdout.trim(), json: true });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { result: string; releaseId: string; targets: Array<{ target: string; captured: string; final: string }> };
  assert.equal(report.result, 'succeeded');
  assert.match(report.releaseId, /^1\.1\.0-[0-9a-f]{12}$/);
  const newId = report.releaseId;

  // The hosts' own disks: `current` is the new release on each, and its files are the artifact's.
  assert.deepEqual(await df.currents(), [newId, newId, newId]);
  for (const d of df.ssh!.hosts) assert.ok(d.sshd.running(), `${d.name}'s sshd is still up`);
  const status = await df.pitcrew(['--json', 'status', ENV]);
  assert.equal(status.code, 0, status.stderr);
  const st = JSON.parse(status.stdout) as { targets: Array<{ target: string; current: string | null; error: string | null }>; lock: { holder: unknown } };
  assert.deepEqual(st.targets.map((x) => [x.target, x.current, x.error]), TARGET_NAMES.map((n) => [n, newId, null]));
  assert.equal(st.lock.holder, null, 'the lock was released');

  // The journal in the store: the whole sequence, each step started and finished, on every target.
  const [latest] = await df.deployments();
  assert.equal(latest.state, 'succeeded');
  assert.equal(latest.runner, 'primary');
  const steps = (step: string, phase: string) => latest.journal.filter((e) => e.step === step && e.phase === phase).map((e) => e.target).sort();
  for (const step of ['capture', 'stage', 'switch', 'restart', 'health', 'mark']) {
    assert.deepEqual(steps(step, 'succeeded'), TARGET_NAMES, `journal step ${step} succeeded on every target`);
    assert.deepEqual(steps(step, 'failed'), [], `journal step ${step} failed nowhere`);
  }
  assert.equal(steps('plan', 'started').length, 1, 'journal: the plan');
  for (const step of ['commit', 'finish']) assert.equal(latest.journal.filter((e) => e.step === step && e.phase === 'succeeded').length > 0, true, `journal step ${step}`);
  assert.deepEqual(steps('prune', 'succeeded'), TARGET_NAMES, 'journal: each target pruned');
  assert.deepEqual([...new Set(latest.journal.map((e) => e.fencingToken))], [latest.fencingToken], 'every event carries the deploy\'s fencing token');
  assert.deepEqual(latest.journal.filter((e) => e.step.startsWith('rollback')), []);
  assert.deepEqual(latest.journal.map((e) => e.seq), latest.journal.map((_, i) => i + 1), 'journal sequence has no gap');

  const counted = await df.pitcrew(['--json', 'report', '--env', ENV]);
  assert.equal(counted.code, 0, counted.stderr);
  const figures = JSON.parse(counted.stdout) as { deployments: { total: number; succeeded: number; failed: number; rollbacks: number } };
  assert.deepEqual(figures.deployments, { ...figures.deployments, total: 1, succeeded: 1, failed: 0, rollbacks: 0 });
  assert.deepEqual(fleet.leakedTokens(), [], 'no process printed a token');
});

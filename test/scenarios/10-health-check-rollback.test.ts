/**
 * Scenario 10: a failed health check rolls every target back.
 *
 * Three real sshd hosts on 127.0.0.2-4 run release 4.0.0. Release 4.1.0's
 * start script reports `fail` on web-2 only, so its health check fails there
 * and passes on web-1 and web-3. The deploy must exit 1 with every host back
 * on 4.0.0 (read from the hosts' disks), journal the rollback of each target,
 * mark 4.1.0 bad where it was staged, and the report must count the rollback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployFleet, ENV, scenarioScope, TARGET_NAMES } from './support/index.js';

test('a health check failing on one of three ssh hosts rolls all three back to the old release and marks the new one bad', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'ssh', batchSize: 3 });
  const good = await df.deploy(await df.release('4.0.0'), { json: true });
  assert.equal(good.code, 0, good.stderr + df.ssh!.hosts.map((h) => h.sshd.tail(40)).join('\n'));
  const oldId = (JSON.parse(good.stdout) as { releaseId: string }).releaseId;
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);

  const bad = await df.deploy(await df.release('4.1.0', { failOn: ['web-2'] }), { json: true });
  assert.equal(bad.code, 1, bad.stderr + df.ssh!.hosts.map((h) => h.sshd.tail(40)).join('\n'));
  const report = JSON.parse(bad.stdout) as {
    result: string; releaseId: string; error: string;
    targets: Array<{ target: string; switched: string; rolledBack: string; final: string; checks: Array<{ status: string }> }>;
  };
  assert.equal(report.result, 'rolled-back');
  assert.match(bad.stderr, /health check app health file says ok failed on web-2/);
  assert.deepEqual(report.targets.map((x) => [x.target, x.rolledBack, x.final]), TARGET_NAMES.map((n) => [n, 'ok', oldId]));
  const newId = report.releaseId;

  // The hosts' disks: `current` is the old release everywhere, its app healthy again, the new one marked bad.
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);
  for (const folder of df.folders) {
    assert.equal(await readFile(join(folder, 'shared', 'health'), 'utf8'), 'ok\n', `${folder}: the old release was restarted`);
    assert.equal((await readFile(join(folder, 'releases', newId, '.pitcrew-mark'), 'utf8')).trim(), 'bad');
    assert.equal((await readFile(join(folder, 'releases', oldId, '.pitcrew-mark'), 'utf8')).trim(), 'good');
  }
  const releases = await df.pitcrew(['releases', ENV]);
  assert.match(releases.stdout, new RegExp(`${newId.replace(/\./g, '\\.')} \\(bad\\)`), releases.stdout);

  // The journal: the failed check on web-2, then a rollback of each target.
  const [latest] = await df.deployments();
  assert.equal(latest.state, 'rolled-back');
  const events = (step: string, phase: string) => latest.journal.filter((e) => e.step === step && e.phase === phase).map((e) => e.target).sort();
  const health = latest.journal.filter((e) => e.step === 'health' && e.phase !== 'started');
  assert.deepEqual(health.filter((e) => e.phase === 'failed' && /: failed after 1 attempt in /.test(e.detail ?? '')).map((e) => e.target), ['web-2'], 'the check failed on web-2 only');
  assert.deepEqual(health.filter((e) => e.phase === 'succeeded' && /: passed after 1 attempt in /.test(e.detail ?? '')).map((e) => e.target).sort(), ['web-1', 'web-3']);
  for (const step of ['rollback.switch', 'rollback.restart', 'rollback.health']) assert.deepEqual(events(step, 'succeeded'), TARGET_NAMES, `journal: ${step} on every target`);
  assert.equal(events('rollback', 'succeeded').length, 1);
  assert.deepEqual(events('commit', 'succeeded'), [], 'never committed');

  // Refused after the logins to the hosts began (server mode without a runner name; a bad --wait-lock):
  // exit 2, nothing touched, and every ssh session closed again (one left open would keep the process alive).
  const again = await df.release('4.2.0');
  const nameless = await df.pitcrew(['--server', 'http://127.0.0.1:9', 'deploy', ENV, '--artifact', again], { RUNNER_NAME: undefined });
  assert.equal(nameless.code, 2, nameless.stderr);
  assert.match(nameless.stderr, /RUNNER_NAME is not set/);
  const badWait = await df.pitcrew(['deploy', ENV, '--artifact', again, '--wait-lock', 'soon']);
  assert.equal(badWait.code, 2, badWait.stderr);
  assert.match(badWait.stderr, /soon/);
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);

  // The report counts it: one success, one failure, one rollback.
  const counted = await df.pitcrew(['--json', 'report', '--env', ENV]);
  const figures = (JSON.parse(counted.stdout) as { deployments: { succeeded: number; failed: number; rollbacks: number } }).deployments;
  assert.deepEqual([figures.succeeded, figures.failed, figures.rollbacks], [1, 1, 1]);
});

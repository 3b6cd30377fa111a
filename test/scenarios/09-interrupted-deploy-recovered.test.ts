/**
 * Scenario 9: an interrupted deploy is rolled back by the next run before it
 * goes on.
 *
 * Three local targets on 1.0.0. A `pitcrew deploy` of 2.0.0 is SIGKILLed with
 * web-1 and web-2 switched and web-3 not; it leaves its lock behind, with a
 * 5 s lease (`lock.ttl`). Nobody breaks the lock: the next `pitcrew deploy`,
 * of 3.0.0, gets it once the dead holder's lease has passed, rolls 2.0.0
 * back first (its narration says so, the old deployment's journal has
 * `recover` and the rollback steps under the new fencing token), then
 * deploys 3.0.0 everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectStore, poll, scenarioScope, Stage, StageConfig } from './support/index.js';

interface DeployReportJson {
  result: string;
  exitCode: number;
  fencingToken: number;
  recovered: unknown[];
  targets: Array<{ target: string; final: string | null }>;
}

test('the next deploy after a SIGKILLed one rolls the interrupted deploy back first, then puts every target on the newest release', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope, { ttl: '5s' });
  const cfg = await StageConfig.write(stage);
  const [v1, v2, v3] = [await stage.artifact('1.0.0'), await stage.artifact('2.0.0'), await stage.artifact('3.0.0')];

  const first = await cfg.cli(['deploy', 'production', '--artifact', v1.file]);
  assert.equal(first.code, 0, first.stdout + first.stderr);

  await stage.hold(1);
  const killedRun = await cfg.startDeploy(scope, 'pitcrew deploy 2.0.0', v2);
  await poll('web-1 and web-2 to be on 2.0.0 while web-3 is still on 1.0.0', async () => {
    if (!killedRun.running()) throw new Error(`the deployer exited early: ${killedRun.tail()}`);
    const now = await stage.currents();
    return now[0] === v2.releaseId && now[1] === v2.releaseId && now[2] === v1.releaseId;
  }, { deadlineMs: 30_000, context: () => killedRun.tail() });
  await killedRun.stop('SIGKILL');
  await stage.release();
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v1.releaseId], 'the kill left the targets mixed');
  const killedToken = Number(/lock on production taken \(fencing token (\d+)\)/.exec(killedRun.stdout())?.[1]);
  assert.ok(killedToken > 0, killedRun.stdout());

  // The dead deployer still holds the lock; nobody breaks it: the next run gets it only once that lease has passed.
  const left = await inspectStore(cfg.dbPath, (store) => store.lockStatus('production', Date.now()));
  assert.equal(left.holder?.fencingToken, killedToken);

  const next = await cfg.cli(['--json', 'deploy', 'production', '--artifact', v3.file]);
  assert.equal(next.code, 0, next.stdout + next.stderr);
  // Narration goes to stderr with --json: it tells the recovery before the new deploy.
  const narration = next.stderr;
  const recoveredAt = narration.search(/deployment \S+ of 2\.0\.0 did not finish: rolling back every target it touched/);
  const stagingAt = narration.indexOf('staging 3.0.0-');
  assert.ok(recoveredAt >= 0, `the next run says it rolls 2.0.0 back:\n${narration}`);
  assert.ok(stagingAt > recoveredAt, `the rollback comes before staging 3.0.0:\n${narration}`);
  const report = JSON.parse(next.stdout) as DeployReportJson;
  assert.equal(report.result, 'succeeded');
  assert.equal(report.recovered.length, 1);
  assert.ok(report.fencingToken > killedToken, 'the next run holds a newer fencing token');

  assert.deepEqual(await stage.currents(), [v3.releaseId, v3.releaseId, v3.releaseId], 'every target on 3.0.0');
  assert.deepEqual(await stage.fences(), [report.fencingToken, report.fencingToken, report.fencingToken]);

  await inspectStore(cfg.dbPath, async (store) => {
    const deployments = await store.listDeployments({ environment: 'production' });
    const interrupted = deployments.find((d) => d.version === '2.0.0')!;
    assert.equal(interrupted.state, 'interrupted');
    assert.equal(interrupted.result, 'rolled-back');
    assert.equal(deployments.find((d) => d.version === '3.0.0')!.state, 'succeeded');

    const journal = await store.listJournal(interrupted.id);
    const byNewHolder = journal.filter((e) => e.fencingToken === report.fencingToken);
    const steps = new Set(byNewHolder.map((e) => e.step));
    assert.ok(steps.has('recover'), `recover journaled on 2.0.0 by the next run: ${[...steps].join(', ')}`);
    assert.ok(steps.has('rollback'), `rollback journaled on 2.0.0 by the next run: ${[...steps].join(', ')}`);
    const switchedBack = byNewHolder.filter((e) => e.step === 'rollback.switch' && e.phase === 'succeeded').map((e) => e.target).sort();
    assert.deepEqual(switchedBack, ['web-1', 'web-2'], 'web-3, never switched to 2.0.0, is left alone');
    assert.ok(journal.filter((e) => e.fencingToken === killedToken).every((e) => e.step !== 'commit'), 'the killed run never committed');
    assert.deepEqual(await store.listAudit({ action: 'lock.force-release' }), [], 'the lock was never broken by hand');
  });
});

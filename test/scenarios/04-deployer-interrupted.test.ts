/**
 * Scenario 4: the deployer is interrupted mid-deploy, and no target is left
 * half-deployed.
 *
 * Three local targets on release 1.0.0; `pitcrew deploy` of 2.0.0 runs as a
 * real child process against the same SQLite store. The restart step is held
 * on web-2, so the deploy stops with web-1 and web-2 switched and web-3 not:
 * the worst moment. Then the deployer is killed:
 * - SIGKILL: it can do nothing; the targets stay mixed until a human (or the
 *   next run) recovers: `pitcrew lock release --force` for the dead holder's
 *   lease, then `pitcrew recover` puts every target back on 1.0.0;
 * - SIGTERM: the deployer itself rolls every target back, exits 1 and frees
 *   the lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectStore, poll, scenarioScope, Stage, StageConfig, type Artifact, type Proc } from './support/index.js';

interface StatusJson {
  targets: Array<{ target: string; current: string | null }>;
  lock: { holder: { description: string; runner: string | null } | null; queue: unknown[]; lastFencingToken: number };
  deployments: Array<{ id: string; version: string; state: string; result: string | null }>;
}

async function statusOf(cfg: StageConfig): Promise<StatusJson> {
  const r = await cfg.cli(['--json', 'status', cfg.stage.environment]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

/** Deploys `v1` cleanly, then starts `v2` held on web-2 and waits until web-1 and web-2 are on it and web-3 is not. */
async function interruptedAtWeb2(scope: Parameters<typeof Stage.create>[0], cfg: StageConfig, v1: Artifact, v2: Artifact): Promise<Proc> {
  const first = await cfg.cli(['deploy', 'production', '--artifact', v1.file]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(await cfg.stage.currents(), [v1.releaseId, v1.releaseId, v1.releaseId]);

  await cfg.stage.hold(1);
  const deployer = await cfg.startDeploy(scope, 'pitcrew deploy 2.0.0', v2);
  await poll('web-1 and web-2 to be switched to 2.0.0 while web-3 is not', async () => {
    if (!deployer.running()) throw new Error(`the deployer exited early: ${deployer.tail()}`);
    const now = await cfg.stage.currents();
    return now[0] === v2.releaseId && now[1] === v2.releaseId && now[2] === v1.releaseId;
  }, { deadlineMs: 30_000, context: () => deployer.tail() });
  return deployer;
}

test('a deployer killed with SIGKILL mid-deploy leaves targets that `pitcrew recover` puts back on the old release', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const cfg = await StageConfig.write(stage);
  const v1 = await stage.artifact('1.0.0');
  const v2 = await stage.artifact('2.0.0');
  const deployer = await interruptedAtWeb2(scope, cfg, v1, v2);

  const killed = await deployer.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  await stage.release();
  // Half-deployed, and the dead deployer still holds the lock: this is what recovery must undo.
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v1.releaseId]);
  const stuck = await statusOf(cfg);
  assert.ok(stuck.lock.holder, 'the killed deployer could not release its lock');
  assert.equal(stuck.deployments[0].version, '2.0.0');
  assert.equal(stuck.deployments[0].state, 'running');

  const broken = await cfg.cli(['lock', 'release', 'production', '--force', '--reason', 'deployer killed mid-deploy']);
  assert.equal(broken.code, 0, broken.stderr);
  assert.match(broken.stdout, /broke the lock of production/);

  const recovered = await cfg.cli(['recover', 'production']);
  assert.equal(recovered.code, 0, recovered.stdout + recovered.stderr);
  assert.match(recovered.stdout, new RegExp(`deployment \\S+ of 2\\.0\\.0 did not finish: rolling back every target it touched`));

  assert.deepEqual(await stage.currents(), [v1.releaseId, v1.releaseId, v1.releaseId], 'every target back on 1.0.0');
  const after = await statusOf(cfg);
  assert.equal(after.lock.holder, null, 'the lock is free after recovery');
  assert.deepEqual(after.lock.queue, []);
  const interrupted = after.deployments.find((d) => d.version === '2.0.0')!;
  assert.equal(interrupted.state, 'interrupted');
  assert.equal(interrupted.result, 'rolled-back');

  await inspectStore(cfg.dbPath, async (store) => {
    const journal = await store.listJournal(interrupted.id);
    const rolledBack = journal.filter((e) => e.step === 'rollback.switch' && e.phase === 'succeeded').map((e) => e.target).sort();
    assert.deepEqual(rolledBack, ['web-1', 'web-2'], 'only the targets the killed deploy switched are switched back');
    const audit = await store.listAudit({ action: 'lock.force-release' });
    assert.equal(audit.length, 1);
    assert.match(audit[0].detail ?? '', /deployer killed mid-deploy/);
  });
  // The stage can take the next deploy at once.
  await stage.release();
  const again = await cfg.cli(['deploy', 'production', '--artifact', v2.file]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v2.releaseId]);
});

test('a deployer stopped with SIGTERM mid-deploy rolls every target back itself, exits 1 and frees the lock', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const cfg = await StageConfig.write(stage);
  const v1 = await stage.artifact('1.0.0');
  const v2 = await stage.artifact('2.0.0');
  const deployer = await interruptedAtWeb2(scope, cfg, v1, v2);

  deployer.child.kill('SIGTERM');
  await poll('the deployer to acknowledge SIGTERM', () => deployer.stdout().includes('received SIGTERM: rolling back'), { deadlineMs: 15_000, context: () => deployer.tail() });
  await stage.release();
  const exit = await poll('the deployer to exit', () => (deployer.running() ? undefined : deployer.exited), { deadlineMs: 30_000, context: () => deployer.tail() });
  assert.equal(exit.code, 1, deployer.tail());
  assert.match(deployer.stdout(), /every target of production is back on its previous release/);

  assert.deepEqual(await stage.currents(), [v1.releaseId, v1.releaseId, v1.releaseId], 'every target back on 1.0.0');
  const after = await statusOf(cfg);
  assert.equal(after.lock.holder, null, 'the deployer released its lock');
  const d = after.deployments.find((x) => x.version === '2.0.0')!;
  assert.equal(d.result, 'rolled-back');
  assert.notEqual(d.state, 'running');
});

/**
 * One target becomes unreachable mid-deploy (its folder disappears under the
 * local transport, as a host that stops answering would): the others are
 * rolled back, the unreachable one is recorded as needing recovery, the
 * deploy exits 4 with an open incident and a rollback.failed notification,
 * and `pitcrew recover` reconciles it once it answers again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { DEPLOY_ROLLBACK_FAILED } from '../../src/incidents/index.js';
import { startReceiver } from '../notify/receiver.js';
import { deployWorkspace, workspaceConfig, type DeployWorkspace } from '../support/deploy-fixtures.js';
import { eventually } from './fixtures.js';

/** `out` is stdout then stderr; `stdout` alone (the report with --json). */
async function cli(ws: DeployWorkspace, ...argv: string[]): Promise<{ code: number; out: string; stdout: string }> {
  const io = memoryIo({ cwd: ws.dir });
  const code = await main(['--config', ws.configPath, ...argv], { PATH: process.env.PATH ?? '' }, io);
  return { code, out: io.out() + io.err(), stdout: io.out() };
}

test('a target unreachable mid-deploy: the others rolled back, exit 4, incident and notification; recover reconciles it when it answers again', { timeout: 180_000 }, async () => {
  const ws = await deployWorkspace({ batchSize: 1 });
  const rx = await startReceiver();
  try {
    const config = workspaceConfig(ws.dir, ws.folders, { batchSize: 1, ttl: '30s' }) as { environments: { prod: Record<string, unknown> & { steps: { restart: string } } } };
    // On a release holding `hold`, web-2's restart says so and waits: the test cuts web-2 off meanwhile.
    config.environments.prod.steps.restart += '; if [ -e hold ] && [ "$PITCREW_TARGET" = web-2 ] && [ ! -e "$PITCREW_PATH/held" ]; then touch "$PITCREW_PATH/held"; sleep 2; fi';
    config.environments.prod.notifications = [{ kind: 'webhook', url: rx.url, events: ['deploy.failed', 'rollback.failed', 'deploy.succeeded'] }];
    await writeFile(ws.configPath, JSON.stringify(config, null, 2));

    const first = await cli(ws, '--json', 'deploy', 'prod', '--artifact', await ws.artifact('1.0.0'));
    assert.equal(first.code, 0, first.out);
    const [old] = await ws.currents();
    const web2 = ws.folders[1];
    const away = `${web2}.unreachable`;

    const running = cli(ws, 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { extra: { hold: 'yes\n' } }));
    await eventually(() => access(join(web2, 'held')).then(() => true, () => false), 'web-2 is restarting the new release', 60_000);
    await rename(web2, away);
    const failed = await running;
    assert.equal(failed.code, 4, failed.out);
    assert.match(failed.out, /health check no fail marker inconclusive \(no answer: never a pass\) on web-2: could not run/, "an unreachable target gives no answer: inconclusive, never a pass");
    assert.match(failed.out, /ROLLBACK FAILED on web-2: .*does not exist/);
    assert.match(failed.out, /^INCIDENT: the rollback of prod did not complete; a human is needed\. Not back: web-2 \(on unknown, should be 1\.0\.0-/m);
    const currents = await ws.currents();
    assert.deepEqual([currents[0], currents[2]], [old, old], 'the reachable targets are back on the old release');

    const { store, close } = await ws.coordinator();
    try {
      const [dep] = await store.listDeployments({ environment: 'prod', limit: 1 });
      assert.equal(dep.state, 'rollback-failed');
      const journal = await store.listJournal(dep.id);
      assert.deepEqual(
        journal.filter((e) => e.step === 'rollback' && e.phase !== 'started').map((e) => [e.phase, e.detail]),
        [['failed', 'web-2']],
        'the journal names the target that still needs recovery',
      );
      const open = await store.listIncidents('open');
      assert.deepEqual(open.map((i) => [i.kind, i.deploymentId]), [[DEPLOY_ROLLBACK_FAILED, dep.id]]);
      const events = rx.json().map((p) => p.event);
      assert.ok(events.includes('rollback.failed'), `notifications: ${events.join(', ')}`);

      // Still unreachable: recovery cannot finish either, and says so.
      const early = await cli(ws, 'recover', 'prod');
      assert.equal(early.code, 4, early.out);
      assert.equal((await store.getDeployment(dep.id))?.state, 'rollback-failed');

      // It answers again: recovery puts it back and closes the deployment.
      await rename(away, web2);
      const recovered = await cli(ws, '--json', 'recover', 'prod');
      assert.equal(recovered.code, 0, recovered.out);
      assert.deepEqual(await ws.currents(), [old, old, old]);
      assert.equal((await store.getDeployment(dep.id))?.state, 'interrupted');
      const report = JSON.parse(recovered.stdout) as { recovered: { deploymentId: string; result: string }[] };
      assert.deepEqual(report.recovered.map((r) => [r.deploymentId, r.result]), [[dep.id, 'rolled-back']]);
      assert.equal((await store.lockStatus('prod', Date.now())).holder, null);

      // The next deploy succeeds and resolves the incident.
      const next = await cli(ws, 'deploy', 'prod', '--artifact', await ws.artifact('3.0.0'));
      assert.equal(next.code, 0, next.out);
      assert.deepEqual(await store.listIncidents('open'), []);
    } finally {
      await close();
    }
  } finally {
    await rx.close();
    await ws.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOY_ROLLBACK_FAILED, DEPLOY_ROLLED_BACK } from '../../src/incidents/index.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';

test('a rolled-back deploy opens exactly one incident and the next successful deploy resolves it', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    assert.equal((await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.result, 'succeeded');
    const failed = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) });
    assert.equal(failed.report.result, 'rolled-back');
    const { store, close } = await ws.coordinator();
    try {
      const open = await store.listIncidents('open');
      assert.equal(open.length, 1);
      assert.equal(open[0].kind, DEPLOY_ROLLED_BACK);
      assert.equal(open[0].environment, 'prod');
      assert.equal(open[0].deploymentId, failed.report.deploymentId);
      assert.match(open[0].cause, /health check no fail marker failed on web-2/);
      assert.ok(open[0].openedAt <= open[0].detectedAt);
      assert.ok(failed.lines.some((l) => l.includes(`incident ${open[0].id} opened`)));

      const again = await ws.deploy({ artifact: await ws.artifact('2.0.1', { failOn: ['web-1'] }) });
      assert.equal(again.report.result, 'rolled-back');
      assert.equal((await store.listIncidents('open')).length, 1, 'the same problem keeps its one open incident');

      const fixed = await ws.deploy({ artifact: await ws.artifact('3.0.0') });
      assert.equal(fixed.report.result, 'succeeded');
      assert.deepEqual(await store.listIncidents('open'), []);
      const [resolved] = await store.listIncidents('all');
      assert.equal(resolved.id, open[0].id);
      assert.match(resolved.resolutionNote ?? '', new RegExp(`deploy ${fixed.report.deploymentId} of prod succeeded`));
      const audit = await store.listAudit({ action: 'incident.resolve' });
      assert.deepEqual(audit.map((a) => [a.actor, a.target]), [['pitcrew', `incident:${open[0].id}`]]);
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

test('a deploy whose rollback cannot complete opens a rollback-failed incident', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    // The first release ever fails: there is nothing to switch back to.
    const failed = await ws.deploy({ artifact: await ws.artifact('1.0.0', { failOn: ['web-3'] }) });
    assert.equal(failed.report.result, 'rollback-failed');
    const { store, close } = await ws.coordinator();
    try {
      const open = await store.listIncidents('open');
      assert.deepEqual(open.map((i) => [i.kind, i.environment, i.deploymentId]), [[DEPLOY_ROLLBACK_FAILED, 'prod', failed.report.deploymentId]]);
      assert.match(open[0].cause, /could not be rolled back/);
      assert.equal((await ws.deploy({ artifact: await ws.artifact('1.0.1') })).report.result, 'succeeded');
      assert.deepEqual(await store.listIncidents('open'), []);
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

test('a successful deploy with no incident open resolves nothing and writes no audit entry', async () => {
  const ws = await deployWorkspace();
  try {
    const ok = await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    assert.equal(ok.report.result, 'succeeded');
    assert.ok(!ok.lines.some((l) => l.includes('incident')));
    const { store, close } = await ws.coordinator();
    try {
      assert.deepEqual(await store.listIncidents('all'), []);
      assert.deepEqual(await store.listAudit({ action: 'incident.resolve' }), []);
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

test('a deploy left unfinished and rolled back by the next run opens a rolled-back incident that run resolves', async () => {
  const ws = await deployWorkspace();
  try {
    const { coord, store, close } = await ws.coordinator();
    try {
      // A deployer that died right after recording its plan.
      await coord.createDeployment({ id: 'dead-1', environment: 'prod', version: '0.9.0', digest: 'a'.repeat(64), runner: null, actor: 'ci', state: 'running', startedAt: Date.now() });
      await coord.appendJournal([{ deploymentId: 'dead-1', step: 'plan', target: null, phase: 'started', detail: '{"kind":"deploy","targets":[]}', fencingToken: 0, at: Date.now() }]);
      const next = await ws.deploy({ artifact: await ws.artifact('1.0.0') });
      assert.deepEqual(next.report.recovered.map((r) => r.result), ['rolled-back']);
      assert.equal(next.report.result, 'succeeded');
      const [incident] = await store.listIncidents('all');
      assert.equal(incident.kind, DEPLOY_ROLLED_BACK);
      assert.equal(incident.deploymentId, 'dead-1');
      assert.match(incident.cause, /deploy dead-1 rolled back: it did not finish/);
      assert.ok(incident.resolvedAt !== null, 'the run that recovered it then deployed successfully');
    } finally {
      await close();
    }
  } finally {
    await ws.cleanup();
  }
});

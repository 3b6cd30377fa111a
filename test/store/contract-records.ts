/**
 * Contract for the plain records: runners and their history, heartbeats,
 * deployments and journal, incidents, audit, and the text guard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreNotFoundError } from '../../src/store/errors.js';
import { T0, withStore, type StoreHarness } from './harness.js';

const runner = (name: string, priority = 0) => ({ name, labels: ['linux', 'deploy'], environments: ['prod'], priority, authorized: true });

export function recordsContract(name: string, make: () => Promise<StoreHarness>, skip: string | undefined): void {
  test(`${name}: upserting a runner updates its facts and keeps its state and heartbeat`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.upsertRunner(runner('b'), T0);
      await store.upsertRunner(runner('a'), T0);
      await store.recordHeartbeat('a', T0 + 5, { disk: { freePct: 42 } });
      await store.setRunnerState('a', 'degraded', ['disk 42% free'], T0 + 6);
      const updated = await store.upsertRunner({ ...runner('a', 7), authorized: false, labels: ['arm'] }, T0 + 10);
      assert.equal(updated.priority, 7);
      assert.equal(updated.authorized, false);
      assert.deepEqual(updated.labels, ['arm']);
      assert.equal(updated.state, 'degraded');
      assert.deepEqual(updated.stateReasons, ['disk 42% free']);
      assert.equal(updated.lastHeartbeatAt, T0 + 5);
      assert.deepEqual(updated.probes, { disk: { freePct: 42 } });
      assert.deepEqual((await store.listRunners()).map((r) => r.name), ['a', 'b']);
      assert.equal(await store.getRunner('nope'), null);
    });
  });

  test(`${name}: a heartbeat from an unknown runner registers it unauthorized and keeps the latest`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.recordHeartbeat('ghost', T0, { load: 1 });
      await store.recordHeartbeat('ghost', T0 + 1000, { load: 2 });
      const r = await store.getRunner('ghost');
      assert.equal(r?.authorized, false);
      assert.equal(r?.lastHeartbeatAt, T0 + 1000);
      assert.deepEqual(await store.latestHeartbeat('ghost'), { runner: 'ghost', at: T0 + 1000, probes: { load: 2 } });
    });
  });

  test(`${name}: heartbeats recorded in one batch update known runners, register unknown ones and keep a runner's last`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.upsertRunner(runner('a'), T0);
      await store.setRunnerState('a', 'online', [], T0 + 1);
      const many = Array.from({ length: 1200 }, (_, i) => ({ runner: `n${i}`, at: T0 + i, probes: { i } }));
      await store.recordHeartbeats([{ runner: 'a', at: T0 + 5, probes: { load: 1 } }, ...many, { runner: 'a', at: T0 + 9, probes: { load: 2 } }]);
      const a = await store.getRunner('a');
      assert.equal(a?.authorized, true);
      assert.equal(a?.state, 'online');
      assert.equal(a?.lastHeartbeatAt, T0 + 9);
      assert.deepEqual(await store.latestHeartbeat('a'), { runner: 'a', at: T0 + 9, probes: { load: 2 } });
      assert.equal((await store.listRunners()).length, 1201);
      const last = await store.getRunner('n1199');
      assert.equal(last?.authorized, false);
      assert.equal(last?.lastHeartbeatAt, T0 + 1199);
      assert.deepEqual(await store.latestHeartbeat('n1199'), { runner: 'n1199', at: T0 + 1199, probes: { i: 1199 } });
      await store.recordHeartbeats([]);
    });
  });

  test(`${name}: runner state history grows only when the state changes`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.upsertRunner(runner('a'), T0);
      assert.deepEqual(await store.setRunnerState('a', 'online', [], T0 + 1), { changed: true });
      assert.deepEqual(await store.setRunnerState('a', 'online', ['still fine'], T0 + 2), { changed: false });
      assert.deepEqual(await store.setRunnerState('a', 'offline', ['no heartbeat for 3s'], T0 + 3), { changed: true });
      const all = await store.runnerStateHistory('a', 0);
      assert.deepEqual(all.map((c) => [c.from, c.to, c.at]), [['unknown', 'online', T0 + 1], ['online', 'offline', T0 + 3]]);
      assert.deepEqual(all[1].reasons, ['no heartbeat for 3s']);
      assert.equal((await store.runnerStateHistory('a', T0 + 2)).length, 1);
      await assert.rejects(store.setRunnerState('nope', 'online', [], T0), StoreNotFoundError);
    });
  });

  test(`${name}: deployments are listed newest first and filtered by environment, result, runner and time`, { skip }, async () => {
    await withStore(make, async (store) => {
      const base = { version: '1.0.0', digest: 'sha256:ab', actor: 'alice', state: 'running' };
      await store.createDeployment({ ...base, id: 'd1', environment: 'prod', runner: 'r1', startedAt: T0 + 1 });
      await store.createDeployment({ ...base, id: 'd2', environment: 'prod', runner: 'r2', startedAt: T0 + 2, fencingToken: 4 });
      await store.createDeployment({ ...base, id: 'd3', environment: 'staging', runner: 'r1', startedAt: T0 + 3 });
      const done = await store.updateDeployment('d1', { state: 'done', result: 'succeeded', finishedAt: T0 + 100 });
      assert.equal(done.result, 'succeeded');
      assert.equal(done.finishedAt, T0 + 100);
      assert.equal((await store.getDeployment('d2'))?.fencingToken, 4);
      const ids = async (f: Parameters<typeof store.listDeployments>[0]) => (await store.listDeployments(f)).map((d) => d.id);
      assert.deepEqual(await ids({}), ['d3', 'd2', 'd1']);
      assert.deepEqual(await ids({ environment: 'prod' }), ['d2', 'd1']);
      assert.deepEqual(await ids({ result: 'succeeded' }), ['d1']);
      assert.deepEqual(await ids({ runner: 'r1' }), ['d3', 'd1']);
      assert.deepEqual(await ids({ since: T0 + 2 }), ['d3', 'd2']);
      assert.deepEqual(await ids({ limit: 1 }), ['d3']);
      await assert.rejects(store.updateDeployment('nope', { state: 'x' }), StoreNotFoundError);
    });
  });

  test(`${name}: journal events get consecutive seq numbers per deployment`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.createDeployment({ id: 'd1', environment: 'prod', version: '1', digest: 'x', runner: null, actor: 'a', state: 'running', startedAt: T0 });
      const ev = { deploymentId: 'd1', step: 'stage', target: 'web1', detail: null, fencingToken: 0, at: T0 };
      assert.equal((await store.appendJournal({ ...ev, phase: 'before' })).seq, 1);
      assert.equal((await store.appendJournal({ ...ev, phase: 'after', detail: 'ok' })).seq, 2);
      const events = await store.listJournal('d1');
      assert.deepEqual(events.map((e) => [e.seq, e.phase, e.detail]), [[1, 'before', null], [2, 'after', 'ok']]);
      await assert.rejects(store.appendJournal({ ...ev, deploymentId: 'nope', phase: 'before' }), StoreNotFoundError);
    });
  });

  test(`${name}: journal events written together keep their order and continue the seq, all or none`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.createDeployment({ id: 'd1', environment: 'prod', version: '1', digest: 'x', runner: null, actor: 'a', state: 'running', startedAt: T0 });
      await store.createDeployment({ id: 'd2', environment: 'prod', version: '2', digest: 'y', runner: null, actor: 'a', state: 'running', startedAt: T0 });
      const ev = { deploymentId: 'd1', step: 'stage', detail: null, fencingToken: 0, at: T0 };
      assert.equal((await store.appendJournal({ ...ev, target: null, phase: 'started' })).seq, 1);
      // More rows than one INSERT carries.
      const many = Array.from({ length: 250 }, (_, i) => ({ ...ev, target: `web-${i}`, phase: i % 2 === 0 ? 'started' : 'succeeded' }));
      const stored = await store.appendJournalEvents(many);
      assert.deepEqual(stored.map((e) => e.seq), many.map((_, i) => i + 2));
      assert.deepEqual((await store.listJournal('d1')).map((e) => e.target), [null, ...many.map((e) => e.target)]);
      assert.deepEqual(await store.appendJournalEvents([]), []);
      // A batch with an unknown deployment, or with another deployment's event, writes nothing (a stale token: contract-locks).
      await assert.rejects(store.appendJournalEvents([{ ...ev, deploymentId: 'nope', target: 'a', phase: 'x' }]), StoreNotFoundError);
      await assert.rejects(store.appendJournalEvents([{ ...ev, target: 'a', phase: 'x' }, { ...ev, deploymentId: 'd2', target: 'b', phase: 'x' }]), /share a deployment/);
      assert.equal((await store.listJournal('d1')).length, 251);
      assert.deepEqual(await store.listJournal('d2'), []);
    });
  });

  test(`${name}: incidents open, acknowledge once, resolve once, and are found by kind and environment`, { skip }, async () => {
    await withStore(make, async (store) => {
      const i = await store.openIncident({ kind: 'runner-offline', openedAt: T0, detectedAt: T0 - 5, cause: 'no heartbeat', runner: 'r1' });
      await store.openIncident({ id: 'dep-fail', kind: 'deploy-failed', openedAt: T0 + 1, detectedAt: T0 + 1, cause: 'health check', environment: 'prod', deploymentId: 'd1' });
      assert.equal((await store.findOpenIncident({ kind: 'runner-offline', runner: 'r1' }))?.id, i.id);
      assert.equal(await store.findOpenIncident({ kind: 'runner-offline', runner: 'r2' }), null);
      assert.equal((await store.findOpenIncident({ kind: 'deploy-failed', environment: 'prod' }))?.deploymentId, 'd1');
      assert.equal((await store.acknowledgeIncident(i.id, T0 + 10)).acknowledgedAt, T0 + 10);
      assert.equal((await store.acknowledgeIncident(i.id, T0 + 20)).acknowledgedAt, T0 + 10);
      const resolved = await store.resolveIncident(i.id, T0 + 30, 'runner back');
      assert.deepEqual([resolved.resolvedAt, resolved.resolutionNote], [T0 + 30, 'runner back']);
      assert.equal((await store.resolveIncident(i.id, T0 + 40, 'again')).resolvedAt, T0 + 30);
      assert.deepEqual((await store.listIncidents('open')).map((x) => x.id), ['dep-fail']);
      assert.deepEqual((await store.listIncidents('all')).map((x) => x.id), ['dep-fail', i.id]);
      assert.equal(await store.findOpenIncident({ kind: 'runner-offline', runner: 'r1' }), null);
      await assert.rejects(store.acknowledgeIncident('nope', T0), StoreNotFoundError);
    });
  });

  test(`${name}: the audit log lists newest first with filters`, { skip }, async () => {
    await withStore(make, async (store) => {
      const a = await store.appendAudit({ at: T0, actor: 'alice', action: 'runner.drain', target: 'r1', detail: null });
      await store.appendAudit({ at: T0 + 1, actor: 'bob', action: 'lock.force-release', target: 'prod', detail: '{"reason":"stuck"}' });
      assert.ok(a.id > 0);
      assert.deepEqual((await store.listAudit()).map((e) => e.actor), ['bob', 'alice']);
      assert.deepEqual((await store.listAudit({ target: 'r1' })).map((e) => e.action), ['runner.drain']);
      assert.deepEqual((await store.listAudit({ since: T0 + 1 })).map((e) => e.actor), ['bob']);
      assert.equal((await store.listAudit({ limit: 1 })).length, 1);
    });
  });

  test(`${name}: a guard refusing a free-text value leaves nothing stored`, { skip }, async () => {
    const seen: string[] = [];
    const guard = (text: string, where: string) => {
      seen.push(where);
      if (text.includes('hunter2')) throw new Error(`unmasked secret in ${where}`);
    };
    await withStore(make, async (store) => {
      await store.createDeployment({ id: 'd1', environment: 'prod', version: '1', digest: 'x', runner: null, actor: 'a', state: 'running', startedAt: T0 });
      const ev = { deploymentId: 'd1', step: 's', target: null, phase: 'before', fencingToken: 0, at: T0 };
      await assert.rejects(store.appendJournal({ ...ev, detail: 'password=hunter2' }), /journal\.detail/);
      await assert.rejects(store.openIncident({ kind: 'k', openedAt: T0, detectedAt: T0, cause: 'hunter2 leaked' }), /incident\.cause/);
      await assert.rejects(store.appendAudit({ at: T0, actor: 'a', action: 'x', target: 't', detail: 'hunter2' }), /audit\.detail/);
      await assert.rejects(store.updateDeployment('d1', { state: 'failed', error: 'curl -u admin:hunter2' }), /deployment\.error/);
      const inc = await store.openIncident({ kind: 'k', openedAt: T0, detectedAt: T0, cause: 'fine' });
      await assert.rejects(store.resolveIncident(inc.id, T0, 'hunter2'), /incident\.resolutionNote/);
      await store.enqueueLock('prod', { ownerToken: 'o', description: 'd', ttlMs: 1000 }, T0, 1000);
      await store.pollLock('prod', 'o', T0, 1000);
      await assert.rejects(store.forceReleaseLock('prod', 'alice', 'hunter2', T0), /lock\.forceReason/);

      assert.deepEqual(await store.listJournal('d1'), []);
      assert.deepEqual((await store.listIncidents('all')).map((i) => i.id), [inc.id]);
      const stored = (await store.listIncidents('all'))[0];
      assert.deepEqual([stored.resolvedAt, stored.resolutionNote], [null, null]);
      assert.deepEqual(await store.listAudit(), []);
      const d = await store.getDeployment('d1');
      assert.deepEqual([d?.state, d?.error], ['running', null]);
      assert.equal((await store.lockStatus('prod', T0)).holder?.ownerToken, 'o');
      assert.ok(seen.includes('journal.detail') && seen.includes('deployment.error'));
    }, { guard });
  });
}

import { test } from 'node:test';
import { rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { acquireLease } from '../../src/coord/index.js';
import { FenceError } from '../../src/deploy/errors.js';
import { Journal } from '../../src/deploy/journal.js';
import { StaleFencingTokenError } from '../../src/store/index.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';
import { eventually } from './fixtures.js';

test('two deploys at once run one after the other, never interleaved, the second seeing its place in the queue', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    await ws.slowRestart(0.3);
    const a = ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const { coord, close } = await ws.coordinator();
    await eventually(async () => (await coord.lockStatus('prod')).holder !== null, 'the first deploy holds the lock');
    const b = ws.deploy({ artifact: await ws.artifact('2.0.0') });
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.report.exitCode, 0);
    assert.equal(rb.report.exitCode, 0);
    assert.ok(rb.lines.some((l) => /^waiting for the lock on prod: position 1 in the queue \(held by deploy by .* of 1\.0\.0-/.test(l)), rb.lines.join('\n'));
    assert.ok(rb.report.fencingToken! > ra.report.fencingToken!);
    const ja = await coord.listJournal(ra.report.deploymentId!);
    const jb = await coord.listJournal(rb.report.deploymentId!);
    assert.ok(ja.at(-1)!.at <= jb[0].at, 'every event of the first deploy comes before the first event of the second');
    assert.ok(ja.every((e) => e.fencingToken === ra.report.fencingToken) && jb.every((e) => e.fencingToken === rb.report.fencingToken));
    assert.deepEqual(await ws.currents(), [rb.report.releaseId, rb.report.releaseId, rb.report.releaseId]);
    assert.equal((await coord.lockStatus('prod')).holder, null);
    // The first deployer's token is stale now: the store refuses its journal writes.
    const stale = new Journal(coord, ra.report.deploymentId!, ra.report.fencingToken!);
    await assert.rejects(stale.write('switch', 'web-1', 'started'), StaleFencingTokenError);
    await close();
  } finally {
    await ws.cleanup();
  }
});

test('a deploy that cannot get the lock within --wait-lock exits 3 and touches nothing', async () => {
  const ws = await deployWorkspace();
  try {
    const { coord, close } = await ws.coordinator();
    const held = await acquireLease(coord, { environment: 'prod', description: 'someone else', ttlMs: 60_000, waitMs: 0 });
    await assert.rejects(
      ws.deploy({ artifact: await ws.artifact('1.0.0'), waitLockMs: 200 }),
      (err: Error & { exitCode?: number }) => err.exitCode === 3 && /not free within 200 ms \(position 1 in the queue; held by someone else\)/.test(err.message),
    );
    assert.deepEqual(await ws.releasesOn(0), []);
    assert.equal((await coord.lockStatus('prod')).queue.length, 0, 'the waiter left the queue');
    await held.release();
    await close();
  } finally {
    await ws.cleanup();
  }
});

test('a target refuses a switch with a fencing token lower than one it has seen', async () => {
  const ws = await deployWorkspace();
  try {
    const { report } = await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const session = await localTransport().open({ name: 'web-1', folder: ws.folders[0] });
    await assert.rejects(session.switchTo(report.releaseId, report.fencingToken! - 1), FenceError);
    await session.close();
  } finally {
    await ws.cleanup();
  }
});

test('a deployer whose token is fenced off stops at once and leaves the targets to the newer holder', async () => {
  const ws = await deployWorkspace({ batchSize: 1 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    // A newer deployer (token 1000) has switched web-2 already.
    const web2 = await localTransport().open({ name: 'web-2', folder: ws.folders[1] });
    await web2.switchTo(v1, 1000);
    await web2.close();
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0') });
    assert.equal(report.result, 'lock-lost');
    assert.equal(report.exitCode, 3);
    assert.match(report.error ?? '', /web-2 refused the switch: fencing token \d+ is lower than 1000/);
    assert.equal((await ws.currents())[1], v1);
    assert.ok(lines.some((l) => l.startsWith('stopping without touching anything else')));
    assert.ok(!lines.some((l) => l.startsWith('rolling back')), 'a fenced deployer does not roll back on its own');
  } finally {
    await ws.cleanup();
  }
});

test('a deployer whose lease is broken mid-deploy stops at its next step, and the next deploy recovers its targets', async () => {
  const ws = await deployWorkspace({ batchSize: 1 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    await ws.slowRestart(1);
    const { coord, close } = await ws.coordinator();
    const running = ws.deploy({ artifact: await ws.artifact('2.0.0') });
    await eventually(async () => (await ws.currents())[0] !== v1, 'web-1 switched', 30_000);
    const broken = await coord.forceRelease('prod', 'ops', 'runner went offline');
    assert.ok(broken !== null);
    const { report, lines } = await running;
    assert.equal(report.result, 'lock-lost');
    assert.equal(report.exitCode, 3);
    assert.ok(lines.some((l) => /^stopping without touching anything else: the lease on prod was lost/.test(l)), lines.join('\n'));
    assert.equal((await ws.currents())[2], v1, 'the batch after the loss was never switched');
    const { store } = await ws.coordinator();
    assert.equal((await store.listAudit({ action: 'lock.force-release' })).length, 1);
    await Promise.all(ws.folders.map((f) => rm(`${f}/slow`)));
    const next = await ws.deploy({ kind: 'recover' });
    assert.deepEqual(next.report.recovered.map((r) => r.result), ['rolled-back']);
    assert.deepEqual(await ws.currents(), [v1, v1, v1]);
    await close();
  } finally {
    await ws.cleanup();
  }
});

test('a holder whose lease expired is refused afterwards by the store (journal) and by every target (fence)', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const { coord, store, close } = await ws.coordinator();
    // Holder A stops reaching the store for its renewals (a paused process, a cut network): its lease passes.
    const cut = { ...coord, renew: () => Promise.reject(new Error('store unreachable')) };
    const a = await acquireLease(cut, { environment: 'prod', description: 'stalled holder', ttlMs: 300, waitMs: 0 });
    await coord.createDeployment({ id: 'stalled', environment: 'prod', version: '1.5.0', digest: 'ab'.repeat(32), runner: null, actor: 'a', state: 'running', startedAt: Date.now(), fencingToken: a.fencingToken });
    const journalA = new Journal(coord, 'stalled', a.fencingToken);
    await journalA.write('plan', null, 'started', '{}');
    // B waits in the queue, takes over once A's lease passed, and deploys 2.0.0 (recovering A's record first).
    const b = await ws.deploy({ artifact: await ws.artifact('2.0.0') });
    assert.equal(b.report.exitCode, 0, b.lines.join('\n'));
    assert.ok(b.report.fencingToken! > a.fencingToken);
    assert.equal(a.lost, false, 'A has not noticed: it still believes it holds the lock');
    const expired = await store.listAudit({ action: 'lock.expired' });
    assert.deepEqual(expired.map((e) => JSON.parse(e.detail ?? '{}').fencingToken), [a.fencingToken]);
    // A wakes up and writes: the store refuses its journal entry...
    await assert.rejects(journalA.write('switch', 'web-1', 'started'), (err: unknown) => {
      assert.ok(err instanceof StaleFencingTokenError);
      assert.deepEqual([err.fencingToken, err.currentToken], [a.fencingToken, b.report.fencingToken]);
      return true;
    });
    assert.ok(!(await coord.listJournal('stalled')).some((e) => e.fencingToken === a.fencingToken && e.step === 'switch'));
    // ...and every target refuses its switch, staying on B's release.
    for (const [i, folder] of ws.folders.entries()) {
      const session = await localTransport().open({ name: `web-${i + 1}`, folder });
      await assert.rejects(session.switchTo(v1, a.fencingToken), (err: unknown) => {
        assert.ok(err instanceof FenceError);
        assert.match(err.message, new RegExp(`fencing token ${a.fencingToken} is lower than ${b.report.fencingToken}`));
        return true;
      });
      await session.close();
    }
    assert.deepEqual(await ws.currents(), [b.report.releaseId, b.report.releaseId, b.report.releaseId]);
    await a.release();
    assert.equal((await coord.lockStatus('prod')).holder, null);
    await close();
  } finally {
    await ws.cleanup();
  }
});

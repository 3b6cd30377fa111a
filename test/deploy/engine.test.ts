import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArtifactError } from '../../src/deploy/errors.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';
import { tree, writeWithDigest } from './fixtures.js';
import { readFile } from 'node:fs/promises';

test('a healthy deploy puts every target on the new release and marks it good', async () => {
  const ws = await deployWorkspace();
  try {
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    assert.equal(report.result, 'succeeded');
    assert.equal(report.exitCode, 0);
    const [first] = await ws.currents();
    assert.match(first ?? '', /^1\.0\.0-[0-9a-f]{12}$/);
    assert.deepEqual(await ws.currents(), [first, first, first]);
    assert.ok(lines.some((l) => l.startsWith('staging 1.0.0-') && l.endsWith('on 3 targets')), lines.join('\n'));
    assert.ok(lines.includes('switching batch 2/3: web-2'));
    assert.deepEqual(report.targets.map((t) => [t.target, t.switched, t.final]), [['web-1', 'ok', first], ['web-2', 'ok', first], ['web-3', 'ok', first]]);
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(report.deploymentId!);
    const [dep] = await coord.listDeployments({ environment: 'prod' });
    await close();
    assert.equal(dep.state, 'succeeded');
    for (const t of ['web-1', 'web-2', 'web-3']) {
      const started = journal.findIndex((e) => e.step === 'switch' && e.target === t && e.phase === 'started');
      const done = journal.findIndex((e) => e.step === 'switch' && e.target === t && e.phase === 'succeeded');
      assert.ok(started >= 0 && done > started, `switch of ${t} journaled before and after`);
    }
    assert.ok(journal.every((e) => e.fencingToken === report.fencingToken));
    assert.equal((await readFile(`${ws.folders[0]}/releases/${first}/.pitcrew-mark`, 'utf8')).trim(), 'good');
  } finally {
    await ws.cleanup();
  }
});

test('rolls every target back when one health check fails, exit 1, and journals the rollback', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const old = await ws.currents();
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) });
    assert.equal(report.result, 'rolled-back');
    assert.equal(report.exitCode, 1);
    assert.deepEqual(await ws.currents(), old);
    assert.ok(lines.some((l) => /health check no fail marker failed on web-2: .* — rolling back all 3 targets/.test(l)), lines.join('\n'));
    assert.deepEqual(report.targets.map((t) => t.rolledBack), ['ok', 'ok', 'ok']);
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(report.deploymentId!);
    await close();
    const backs = journal.filter((e) => e.step === 'rollback.switch' && e.phase === 'succeeded').map((e) => e.target).sort();
    assert.deepEqual(backs, ['web-1', 'web-2', 'web-3']);
    // the restart step ran again on the old release after switching back
    assert.equal((await ws.restartsOn(1)).pop(), old[1]);
    const bad = await readFile(`${ws.folders[1]}/releases/${report.releaseId}/.pitcrew-mark`, 'utf8');
    assert.equal(bad.trim(), 'bad');
  } finally {
    await ws.cleanup();
  }
});

test('a failure in a later batch rolls back the earlier, successful batches too', async () => {
  const ws = await deployWorkspace({ batchSize: 1 });
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const old = await ws.currents();
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-3'] }) });
    assert.equal(report.exitCode, 1);
    assert.ok(lines.includes('switching batch 3/3: web-3'));
    assert.deepEqual(report.targets.map((t) => t.switched), ['ok', 'ok', 'ok']);
    assert.deepEqual(await ws.currents(), old);
    assert.ok(lines.includes(`rolled back web-1 to ${old[0]}`), lines.join('\n'));
  } finally {
    await ws.cleanup();
  }
});

test('a corrupt artifact is refused with exit 1 before any target is touched', async () => {
  const ws = await deployWorkspace();
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const before = await Promise.all(ws.folders.map((f) => tree(f)));
    const good = await readFile(await ws.artifact('2.0.0'));
    const cut = await writeWithDigest(ws.dir, 'shop-2.0.1.tar.gz', good.subarray(0, Math.floor(good.length / 2)));
    await assert.rejects(ws.deploy({ artifact: cut }), (err: unknown) => err instanceof ArtifactError && err.exitCode === 1 && /truncated|corrupt/.test(err.message));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 12] ^= 0xff;
    await assert.rejects(ws.deploy({ artifact: await writeWithDigest(ws.dir, 'shop-2.0.2.tar.gz', flipped) }), ArtifactError);
    assert.deepEqual(await Promise.all(ws.folders.map((f) => tree(f))), before);
    const { coord, close } = await ws.coordinator();
    assert.equal((await coord.listDeployments({ environment: 'prod' })).length, 1);
    assert.equal((await coord.lockStatus('prod')).holder, null);
    await close();
  } finally {
    await ws.cleanup();
  }
});

test('a retried deploy after a failure fails cleanly again and never leaves a mix; staging is a no-op', async () => {
  const ws = await deployWorkspace({ batchSize: 2 });
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const old = await ws.currents();
    const broken = await ws.artifact('2.0.0', { failOn: ['web-3'] });
    const first = await ws.deploy({ artifact: broken });
    const second = await ws.deploy({ artifact: broken });
    assert.deepEqual([first.report.exitCode, second.report.exitCode], [1, 1]);
    assert.ok(second.lines.some((l) => /already staged on web-1 with the same digest/.test(l)), second.lines.join('\n'));
    assert.deepEqual(await ws.currents(), old);
    const fixed = await ws.deploy({ artifact: await ws.artifact('2.0.1') });
    assert.equal(fixed.report.exitCode, 0);
    assert.equal(new Set(await ws.currents()).size, 1);
    assert.equal((await ws.currents())[0], fixed.report.releaseId);
  } finally {
    await ws.cleanup();
  }
});

test('retention never removes the last good release, even when newer failed ones pile up', async () => {
  const ws = await deployWorkspace({ keepReleases: 1, batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-1'] }) });
    await ws.deploy({ artifact: await ws.artifact('3.0.0', { failOn: ['web-1'] }) });
    const v4 = await ws.deploy({ artifact: await ws.artifact('4.0.0') });
    assert.equal(v4.report.exitCode, 0);
    for (let i = 0; i < 3; i++) {
      const left = (await ws.releasesOn(i)).filter((r) => !r.includes('.tmp-'));
      assert.deepEqual(left, [v1, v4.report.releaseId].sort());
    }
    assert.equal(v4.report.pruned['web-1'].length, 2);
  } finally {
    await ws.cleanup();
  }
});

test('--dry-run verifies and narrates the plan but changes nothing', async () => {
  const ws = await deployWorkspace();
  try {
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('1.0.0'), dryRun: true });
    assert.equal(report.result, 'dry-run');
    assert.deepEqual(await ws.currents(), [undefined, undefined, undefined]);
    assert.ok(lines.some((l) => l.startsWith('dry run: web-1 is on no release; would stage 1.0.0-')));
    assert.deepEqual(await ws.releasesOn(0), []);
  } finally {
    await ws.cleanup();
  }
});

test('rollback switches every target to the previous good release', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    await ws.deploy({ artifact: await ws.artifact('2.0.0') });
    const { report } = await ws.deploy({ kind: 'rollback' });
    assert.equal(report.exitCode, 0);
    assert.equal(report.releaseId, v1);
    assert.deepEqual(await ws.currents(), [v1, v1, v1]);
  } finally {
    await ws.cleanup();
  }
});

test('a failure within batch.maxFailPercent puts only that target back and the deploy goes on', async () => {
  const ws = await deployWorkspace({ batchSize: 1, maxFailPercent: 34 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) });
    assert.equal(report.exitCode, 0);
    assert.deepEqual(await ws.currents(), [report.releaseId, v1, report.releaseId]);
    assert.ok(lines.some((l) => /within batch.maxFailPercent \(34%\), putting web-2 back alone/.test(l)), lines.join('\n'));
    assert.equal(report.targets[1].rolledBack, 'ok');
  } finally {
    await ws.cleanup();
  }
});

test('a first deploy that fails leaves untouched targets alone and asks for a human for the one with nothing to go back to', async () => {
  const ws = await deployWorkspace({ batchSize: 1 });
  try {
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('1.0.0', { failOn: ['web-1'] }) });
    assert.equal(report.result, 'rollback-failed');
    assert.equal(report.exitCode, 4);
    assert.deepEqual(report.targets.map((t) => t.rolledBack), ['failed', 'ok', 'ok']);
    assert.deepEqual((await ws.currents()).slice(1), [undefined, undefined]);
    assert.ok(lines.some((l) => l.startsWith('INCIDENT: the rollback of prod did not complete; a human is needed. Not back: web-1')), lines.join('\n'));
    // A fix forward is not blocked by the failed rollback.
    const fixed = await ws.deploy({ artifact: await ws.artifact('1.0.1') });
    assert.equal(fixed.report.exitCode, 0);
    assert.deepEqual(fixed.report.recovered, []);
  } finally {
    await ws.cleanup();
  }
});

test('a failing smoke test rolls every target back', async () => {
  const ws = await deployWorkspace({
    batchSize: 2,
    smokeTests: [{ kind: 'command', name: 'checkout works', run: 'test -e smoke-ok', retries: 1, interval: '10ms' }],
  });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0', { extra: { 'smoke-ok': '' } }) })).report;
    assert.equal(v1.exitCode, 0);
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0') });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(report.smokeTests.map((c) => [c.check, c.status, c.attempts]), [['checkout works', 'failed', 2]]);
    assert.ok(lines.some((l) => l.startsWith('smoke test checkout works failed: exit 1 (no output) (after 2 attempts) — rolling back all 3 targets')), lines.join('\n'));
    assert.deepEqual(await ws.currents(), [v1.releaseId, v1.releaseId, v1.releaseId]);
  } finally {
    await ws.cleanup();
  }
});

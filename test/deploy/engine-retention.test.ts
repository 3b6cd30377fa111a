import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deployWorkspace } from '../support/deploy-fixtures.js';

test('rollback without --to skips a release marked bad and picks the newest earlier one that is not', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const v2 = (await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-3'] }) })).report;
    assert.equal(v2.result, 'rolled-back');
    const v3 = (await ws.deploy({ artifact: await ws.artifact('3.0.0') })).report.releaseId;
    assert.deepEqual((await ws.releasesOn(0)).filter((r) => !r.includes('.tmp-')), [v1, v2.releaseId, v3].sort());
    const { report } = await ws.deploy({ kind: 'rollback' });
    assert.equal(report.result, 'succeeded');
    assert.equal(report.releaseId, v1, `not ${v2.releaseId}, which is marked bad`);
    assert.deepEqual(await ws.currents(), [v1, v1, v1]);
  } finally {
    await ws.cleanup();
  }
});

test('retention keeps current, the captured release and the newest other good one, and prunes nothing after a failed deploy', async () => {
  const ws = await deployWorkspace({ keepReleases: 1, batchSize: 3 });
  const left = async (i: number) => (await ws.releasesOn(i)).filter((r) => !r.includes('.tmp-'));
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const v2 = (await ws.deploy({ artifact: await ws.artifact('2.0.0') })).report.releaseId;
    // v2's good mark is lost: when v3 replaces it, v2 is only the captured release, v1 the newest other good one.
    for (const folder of ws.folders) await rm(join(folder, 'releases', v2, '.pitcrew-mark'));
    const failed = (await ws.deploy({ artifact: await ws.artifact('2.5.0', { failOn: ['web-2'] }) })).report;
    assert.equal(failed.result, 'rolled-back');
    assert.deepEqual(failed.pruned, {});
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(failed.deploymentId!);
    await close();
    assert.equal(journal.filter((e) => e.step === 'prune').length, 0, 'a failed deploy prunes nothing');
    for (let i = 0; i < 3; i++) assert.deepEqual(await left(i), [v1, v2, failed.releaseId].sort());

    const v3 = (await ws.deploy({ artifact: await ws.artifact('3.0.0') })).report;
    assert.equal(v3.result, 'succeeded');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await left(i), [v1, v2, v3.releaseId].sort(), 'current (v3), captured (v2) and newest other good (v1) are kept; the bad 2.5.0 goes');
      assert.deepEqual(v3.pruned[`web-${i + 1}`], [failed.releaseId]);
    }
    const v4 = (await ws.deploy({ artifact: await ws.artifact('4.0.0') })).report;
    for (let i = 0; i < 3; i++) assert.deepEqual(await left(i), [v3.releaseId, v4.releaseId].sort(), 'v3 is both captured and the newest other good');
  } finally {
    await ws.cleanup();
  }
});

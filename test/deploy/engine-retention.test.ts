import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';
import { sha256 } from './fixtures.js';

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

test('after the commit each target journals its mark and its prune; a failed mark or prune is reported, and the deploy stands', async () => {
  const ws = await deployWorkspace({ keepReleases: 1, batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const v2 = (await ws.deploy({ artifact: await ws.artifact('2.0.0') })).report.releaseId;
    const artifact = await ws.artifact('3.0.0');
    const v3 = releaseIdFor('3.0.0', sha256(await readFile(artifact)));
    const lines: string[] = [];
    const { report } = await ws.deploy({ artifact }, {
      say: (line) => {
        lines.push(line);
        // Once a target is switched and checked: web-2's lock becomes a folder (its prune, which must lock to remove
        // v1, fails), and web-3's mark file a folder (its mark fails).
        const on = /^health check on (web-[23]): /.exec(line)?.[1];
        if (on === undefined) return;
        const folder = ws.folders[Number(on.slice(4)) - 1];
        if (on === 'web-2') {
          rmSync(join(folder, '.pitcrew', 'lock'));
          mkdirSync(join(folder, '.pitcrew', 'lock'));
        } else {
          mkdirSync(join(folder, 'releases', v3, '.pitcrew-mark'));
        }
      },
    });
    assert.equal(report.result, 'succeeded');
    assert.deepEqual(await ws.currents(), [report.releaseId, report.releaseId, report.releaseId]);
    assert.ok(lines.some((l) => l.startsWith('pruning old releases on web-2 failed (the deploy stands): ') && l.includes('.pitcrew/lock')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`could not mark ${report.releaseId} good on web-3: `) && l.includes('.pitcrew-mark')), lines.join('\n'));
    assert.deepEqual(report.pruned, { 'web-1': [v1], 'web-3': [v1] }, 'web-3 is pruned although its mark failed');
    assert.deepEqual((await ws.releasesOn(1)).filter((r) => !r.includes('.tmp-')), [v1, v2, report.releaseId].sort());
    assert.equal(await readFile(join(ws.folders[1], 'releases', report.releaseId, '.pitcrew-mark'), 'utf8'), 'good\n', "web-2's mark stands");
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(report.deploymentId!);
    await close();
    const phases = (target: string) => journal.filter((e) => e.target === target && (e.step === 'mark' || e.step === 'prune')).map((e) => `${e.step} ${e.phase}`);
    for (const t of ['web-1', 'web-2', 'web-3']) {
      const p = phases(t);
      assert.deepEqual(p.slice(0, 2).sort(), ['mark started', 'prune started'], `${t}: both started before either ended`);
    }
    assert.deepEqual(phases('web-1').slice(2).sort(), ['mark succeeded', 'prune succeeded']);
    assert.deepEqual(phases('web-2').slice(2).sort(), ['mark succeeded', 'prune failed']);
    assert.deepEqual(phases('web-3').slice(2).sort(), ['mark failed', 'prune succeeded']);
    const finish = journal.findIndex((e) => e.step === 'finish');
    assert.ok(journal.findLastIndex((e) => e.step === 'mark') < finish, 'every mark is journaled before the finish');
  } finally {
    await ws.cleanup();
  }
});

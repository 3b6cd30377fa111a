/**
 * Scenario 12: safe retry: after a safeguard fired, the same deploy run again
 * succeeds or fails cleanly, never worse.
 *
 * Three local targets on 7.0.0. Release 7.1.0 fails its health check on
 * web-2 and is rolled back (scenario 10). Running the very same deploy again
 * must fail the same clean way: every target back on 7.0.0, nothing staged
 * twice (the release folders and their metadata unchanged). A fixed release
 * (7.1.1) then succeeds, and running that successful deploy again is a no-op
 * success: nothing staged anew, every target still on 7.1.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployFleet, scenarioScope, TARGET_NAMES } from './support/index.js';

interface Report {
  result: string;
  releaseId: string;
  targets: Array<{ target: string; staged: string; rolledBack: string; final: string }>;
}

test('a failing deploy retried fails the same clean way, a fixed release succeeds, and retrying that success changes nothing', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'local' });
  const deploy = async (artifact: string, expectCode: number) => {
    const run = await df.deploy(artifact, { json: true });
    assert.equal(run.code, expectCode, run.stderr);
    return { report: JSON.parse(run.stdout) as Report, narration: run.stderr };
  };
  const metadata = (id: string) => Promise.all(df.folders.map((f) => readFile(join(f, 'releases', id, '.pitcrew-release.json'), 'utf8')));
  const oldId = (await deploy(await df.release('7.0.0'), 0)).report.releaseId;

  // The safeguard fires: the health check fails on web-2, every target goes back to 7.0.0.
  const failing = await df.release('7.1.0', { failOn: ['web-2'] });
  const first = await deploy(failing, 1);
  assert.equal(first.report.result, 'rolled-back');
  const badId = first.report.releaseId;
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);
  const dirsAfterFirst = await df.releaseDirs();
  const badMetadata = await metadata(badId);

  // The same deploy again: the same clean failure, nothing staged twice, nothing left worse.
  const again = await deploy(failing, 1);
  assert.equal(again.report.result, 'rolled-back');
  assert.equal(again.report.releaseId, badId);
  assert.deepEqual(again.report.targets.map((x) => [x.target, x.staged, x.rolledBack, x.final]), TARGET_NAMES.map((n) => [n, 'ok', 'ok', oldId]));
  for (const n of TARGET_NAMES) assert.match(again.narration, new RegExp(`${badId} is already staged on ${n} with the same digest`));
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);
  assert.deepEqual(await df.releaseDirs(), dirsAfterFirst, 'no release folder added or duplicated');
  assert.deepEqual(await metadata(badId), badMetadata, 'the staged release was not staged again');
  for (const f of df.folders) assert.equal((await readFile(join(f, 'releases', badId, '.pitcrew-mark'), 'utf8')).trim(), 'bad');
  for (const f of df.folders) assert.equal(await readFile(join(f, 'shared', 'health'), 'utf8'), 'ok\n', `${f}: the old release runs healthy`);

  // Fixed forward: a new artifact version succeeds everywhere.
  const fixed = await df.release('7.1.1');
  const success = await deploy(fixed, 0);
  assert.equal(success.report.result, 'succeeded');
  const fixedId = success.report.releaseId;
  assert.deepEqual(await df.currents(), [fixedId, fixedId, fixedId]);
  const dirsAfterSuccess = await df.releaseDirs();
  const fixedMetadata = await metadata(fixedId);

  // The identical successful deploy again: a success that stages nothing and moves nothing.
  const noop = await deploy(fixed, 0);
  assert.equal(noop.report.result, 'succeeded');
  assert.equal(noop.report.releaseId, fixedId);
  for (const n of TARGET_NAMES) assert.match(noop.narration, new RegExp(`${fixedId} is already staged on ${n} with the same digest`));
  assert.deepEqual(await df.currents(), [fixedId, fixedId, fixedId]);
  assert.deepEqual(await df.releaseDirs(), dirsAfterSuccess);
  assert.deepEqual(await metadata(fixedId), fixedMetadata);

  // The store tells the same story, newest first.
  const deployments = await df.deployments();
  assert.deepEqual(deployments.map((d) => [d.version, d.state]), [['7.1.1', 'succeeded'], ['7.1.1', 'succeeded'], ['7.1.0', 'rolled-back'], ['7.1.0', 'rolled-back'], ['7.0.0', 'succeeded']]);
  const stagedAs = deployments[0].journal.filter((e) => e.step === 'stage' && e.phase === 'succeeded').map((e) => e.detail);
  assert.deepEqual(stagedAs, ['already there', 'already there', 'already there']);
});

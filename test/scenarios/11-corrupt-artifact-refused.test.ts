/**
 * Scenario 11: a partial deploy is impossible: a corrupt or truncated artifact
 * is refused before any target is touched.
 *
 * Three local targets run release 6.0.0. Then `pitcrew deploy` is handed, one
 * after the other: an artifact cut in the middle (its `.sha256` that of the
 * whole file), one with bytes flipped (the original's `.sha256`), one corrupt
 * from the start (its `.sha256` made from the corrupt bytes, so only the gzip
 * and tar checks can tell), and one whose upload is still being written (half
 * of it on disk when the deploy starts). Each must exit 1 naming what is
 * wrong, and every target folder must be exactly as before, file by file and
 * link by link; no lock is taken and no deployment is recorded. Once the
 * upload is complete, the same file deploys. Archives whose entries climb
 * out of the release (`..`, an absolute path, a symlink leading out) are
 * refused the same way, though their digest is right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeRawArtifact, type RawEntry } from '../deploy/fixtures.js';
import { deployFleet, ENV, scenarioScope } from './support/index.js';

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('truncated, corrupt, path-traversing and still-uploading artifacts are refused with exit 1 and no target is touched', { timeout: 240_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'local' });
  const base = await df.deploy(await df.release('6.0.0'), { json: true });
  assert.equal(base.code, 0, base.stderr);
  const oldId = (JSON.parse(base.stdout) as { releaseId: string }).releaseId;

  const good = await df.release('6.1.0');
  const bytes = await readFile(good);
  const whole = digest(bytes);
  const bad = join(df.fleet.dir, 'bad');
  await mkdir(bad);
  /** Writes `content` as bad/NAME/shop-6.1.0.tar.gz with a .sha256 line for `sum`. */
  const artifact = async (name: string, content: Buffer, sum: string) => {
    await mkdir(join(bad, name));
    const file = join(bad, name, basename(good));
    await writeFile(file, content);
    await writeFile(`${file}.sha256`, `${sum}  ${basename(good)}\n`);
    return file;
  };
  /** A hand-made archive (node-tar never writes these) as bad/NAME/shop-6.1.0.tar.gz, with its true digest. */
  const traversing = async (name: string, entries: RawEntry[]) => {
    await mkdir(join(bad, name));
    return writeRawArtifact(join(bad, name), basename(good), entries);
  };
  const flipped = Buffer.from(bytes);
  for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 16; i++) flipped[i] ^= 0xff;
  const cases: Array<{ what: string; file: string; says: RegExp }> = [
    { what: 'cut mid-file', file: await artifact('truncated', bytes.subarray(0, Math.floor(bytes.length / 2)), whole), says: /digest mismatch: expected [0-9a-f]{64}, found/ },
    { what: 'bytes flipped', file: await artifact('flipped', flipped, whole), says: /digest mismatch: expected [0-9a-f]{64}, found/ },
    { what: 'corrupt at the source', file: await artifact('corrupt-source', flipped, digest(flipped)), says: /gzip data corrupt|tar data invalid|tar data truncated/ },
    { what: 'truncated at the source', file: await artifact('truncated-source', bytes.subarray(0, bytes.length - 40), digest(bytes.subarray(0, bytes.length - 40))), says: /gzip data truncated at byte \d+/ },
    // Path-traversing archives with a correct digest: only the entry checks can refuse them.
    { what: 'an entry climbing out with ..', file: await traversing('dotdot', [{ name: 'VERSION', type: '0', body: '6.1.0\n' }, { name: '../../../pwned', type: '0', body: 'x' }]), says: /entry "\.\.\/\.\.\/\.\.\/pwned" has a "\.\." component/ },
    { what: 'an absolute entry', file: await traversing('absolute', [{ name: '/tmp/pitcrew-pwned', type: '0', body: 'x' }]), says: /entry "\/tmp\/pitcrew-pwned" has an absolute path/ },
    { what: 'a symlink leading out', file: await traversing('symlink', [{ name: 'a/', type: '5' }, { name: 'a/up', type: '2', linkname: '../../../..' }]), says: /symlink "a\/up" -> "\.\.\/\.\.\/\.\.\/\.\." leads outside the release/ },
  ];

  const before = await df.snapshot();
  const lockBefore = await df.pitcrew(['--json', 'lock', 'status', ENV]);
  const recorded = (await df.deployments()).length;
  const refuse = async (what: string, run: { code: number | null; stdout: string; stderr: string }, says: RegExp) => {
    assert.equal(run.code, 1, `${what}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, says, `${what}: ${run.stderr}`);
    assert.doesNotMatch(run.stdout, /lock on production taken|staging/, `${what}: it went no further than the artifact`);
    assert.deepEqual(await df.snapshot(), before, `${what}: every target folder is exactly as before`);
    assert.equal((await df.deployments()).length, recorded, `${what}: no deployment recorded`);
    assert.equal((await df.pitcrew(['--json', 'lock', 'status', ENV])).stdout, lockBefore.stdout, `${what}: the lock was never taken`);
  };
  for (const c of cases) await refuse(c.what, await df.deploy(c.file), c.says);

  // An upload still in progress: half the file is there when the deploy starts; the rest arrives after.
  await mkdir(join(bad, 'uploading'));
  const uploading = join(bad, 'uploading', basename(good));
  await copyFile(`${good}.sha256`, `${uploading}.sha256`);
  await writeFile(uploading, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const early = await df.startDeploy('deploy of a half-uploaded artifact', uploading);
  const exit = await early.exited;
  await refuse('upload still being written', { code: exit.code, stdout: early.stdout(), stderr: early.stderr() }, /digest mismatch|gzip data truncated/);
  assert.deepEqual(await df.currents(), [oldId, oldId, oldId]);

  // Once the upload is complete, the very same file is accepted and deployed.
  await appendFile(uploading, bytes.subarray(Math.floor(bytes.length / 2)));
  const done = await df.deploy(uploading, { json: true });
  assert.equal(done.code, 0, done.stderr);
  const newId = (JSON.parse(done.stdout) as { releaseId: string }).releaseId;
  assert.equal(newId, `6.1.0-${whole.slice(0, 12)}`);
  assert.deepEqual(await df.currents(), [newId, newId, newId]);
});

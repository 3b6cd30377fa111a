import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseRemoved } from '../../src/deploy/transports/scripted-session.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { functionName, scriptLibrary, shellQuote, targetScripts, type TargetScript } from '../../src/deploy/transports/target-script.js';
import {
  CURRENT_LINK, FENCE_FILE, LOCK_FILE, RELEASE_MARK_FILE, RELEASE_META_FILE, RELEASES_DIR, SHARED_DIR, TEMP_INFIX,
} from '../../src/deploy/layout.js';
import { makeArtifact, rawTar, sha256, tempDir, tree } from './fixtures.js';

test('shellQuote keeps any word intact through sh, quotes and $ included', () => {
  for (const word of ["it's", '$(id) `id` $HOME', 'a b\nc', '', "'", '\\']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }), word);
  }
});

test('target scripts carry values as arguments, never in their text', () => {
  const s = targetScripts.stage('/srv/app', '1.0.0-0123456789ab', '/tmp/a b.tar.gz', 'f'.repeat(64), 'abc', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)));
  assert.deepEqual(s.args, ['/srv/app', '1.0.0-0123456789ab', '/tmp/a b.tar.gz', 'f'.repeat(64), 'abc', '2026-01-02T03:04:05Z']);
  assert.ok(!s.text.includes('/srv/app') && !s.text.includes('a b.tar.gz'));
  assert.ok(!s.text.includes('\\${'), 'escaped parameter expansions are turned back into ${');
});

test('the scripts use the names layout.ts documents', () => {
  const all = [
    targetScripts.inspect('/r'), targetScripts.stage('/r', 'x', 'a', 'b', 'c', new Date()), targetScripts.switchTo('/r', 'x', 1, 's'),
    targetScripts.mark('/r', 'x', 'good'), targetScripts.prune('/r', 1, []),
  ].map((s) => s.text).join('\n');
  for (const name of [FENCE_FILE, LOCK_FILE, RELEASE_META_FILE, RELEASE_MARK_FILE, `${CURRENT_LINK}${TEMP_INFIX}`, `"$P"/${RELEASES_DIR}/`, `$P/${SHARED_DIR}`]) {
    assert.ok(all.includes(name), `scripts mention ${name}`);
  }
});

/**
 * Runs the stage script as the ssh script shell does for an upload: `input`
 * on its stdin, announced as `len` bytes in `encoding`; prints what the
 * script left unread after its own output.
 */
function stageWith(root: string, id: string, digest: string, input: Buffer, len: number | string, encoding = 'gzip'): { status: number; out: string; err: string } {
  const s = targetScripts.stage(root, id, '', digest, 'test', new Date(), { bytes: 0, encoding: 'gzip' });
  const args = [...s.args.slice(0, -2), String(len), encoding];
  const r = spawnSync('sh', ['-c', 'sh -c "$0" pitcrew-target "$@"; s=$?; printf "left:"; cat; exit $s', s.text, ...args], { input, encoding: 'utf8' });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The upload of `data` (the artifact `artifact`'s bytes or its tar) followed by `line` and then `rest`. */
function stageFromStdin(root: string, data: Buffer, line: string, len = data.length, encoding = 'gzip', artifact = data): { status: number; out: string; err: string } {
  return stageWith(root, releaseIdFor('1.0.0', sha256(artifact)), sha256(artifact), Buffer.concat([data, Buffer.from(`${line}\nrest\n`)]), len, encoding);
}

test('stage unpacks an upload from stdin, reading exactly its bytes and digest line, and refuses one without the right line', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    await mkdir(root);
    const data = await readFile(await makeArtifact(dir.path, 'a.tar.gz', { VERSION: '1.0.0\n' }));
    const id = releaseIdFor('1.0.0', sha256(data));
    const wrong = stageFromStdin(root, data, 'f'.repeat(64));
    assert.equal(wrong.status, 3);
    assert.match(wrong.err, /pitcrew-error upload the upload ended before its \d+ bytes and digest line arrived/);
    assert.deepEqual(await tree(root), ['releases', 'shared'], 'no release and no work folder left');
    const cut = stageFromStdin(root, data.subarray(0, data.length - 100), sha256(data), data.length);
    assert.equal(cut.status, 3, 'an upload that ends early fails');
    assert.deepEqual(await tree(root), ['releases', 'shared']);
    const ok = stageFromStdin(root, data, sha256(data));
    assert.equal(ok.status, 0, ok.err);
    assert.equal(ok.out, `staged ${id}\nleft:rest\n`);
    assert.equal(await readFile(join(root, 'releases', id, 'VERSION'), 'utf8'), '1.0.0\n');
    // Already there: the upload is still read to its end, so what follows it stays in place.
    const again = stageFromStdin(root, data, sha256(data));
    assert.deepEqual([again.status, again.out], [0, `exists ${id}\nleft:rest\n`]);
  } finally {
    await dir.cleanup();
  }
});

test('stage unpacks an upload sent as plain tar; a stream cut anywhere, or a tar the target cannot read, leaves nothing', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    await mkdir(root);
    const gz = gzipSync(rawTar([{ name: 'VERSION', type: '0', body: '1.0.0\n' }, { name: 'data.bin', type: '0', body: randomBytes(4000) }]));
    const tar = gunzipSync(gz);
    const id = releaseIdFor('1.0.0', sha256(gz));
    // VERSION's header and body fill bytes 0 to 1024, data.bin's header 1024 to 1536. Cut inside data.bin (tar fails),
    // inside its header (tar sees a clean end: only the missing line tells), or in the end-of-archive marker; the
    // stream ends there, as when the connection is lost.
    for (const [at, code] of [[3000, 'unpack'], [1100, 'upload'], [tar.length - 100, 'upload']] as const) {
      const cut = stageWith(root, id, sha256(gz), tar.subarray(0, at), tar.length, 'tar');
      assert.equal(cut.status, 3, `cut at ${at}: ${cut.err}`);
      assert.match(cut.err, new RegExp(`pitcrew-error ${code} `), `cut at ${at}`);
      assert.deepEqual(await tree(root), ['releases', 'shared'], `cut at ${at}: no release and no work folder left`);
    }
    // data.bin's header with a checksum that does not add up, and the right digest line after it.
    const broken = Buffer.from(tar);
    broken[1030] ^= 0xff;
    const bad = stageFromStdin(root, broken, sha256(gz), tar.length, 'tar', gz);
    assert.equal(bad.status, 3);
    assert.match(bad.err, /pitcrew-error unpack cannot unpack the upload/);
    assert.deepEqual(await tree(root), ['releases', 'shared']);
    const ok = stageFromStdin(root, tar, sha256(gz), tar.length, 'tar', gz);
    assert.equal(ok.status, 0, ok.err);
    assert.equal(ok.out, `staged ${id}\nleft:rest\n`, 'exactly the upload and its line are read');
    assert.equal(await readFile(join(root, 'releases', id, 'VERSION'), 'utf8'), '1.0.0\n');
  } finally {
    await dir.cleanup();
  }
});

test("stage refuses a gzip upload whose CRC does not match, though every entry unpacked, and refuses an encoding or length it does not know", async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    await mkdir(root);
    const gz = gzipSync(rawTar([{ name: 'VERSION', type: '0', body: '1.0.0\n' }]));
    // The CRC is the trailer's first 4 bytes: the data inflates whole, and only gzip's status says it is not what was packed.
    const corrupt = Buffer.from(gz);
    corrupt[corrupt.length - 8] ^= 0x01;
    const crc = stageFromStdin(root, corrupt, sha256(gz), corrupt.length, 'gzip', gz);
    assert.equal(crc.status, 3);
    assert.match(crc.err, /pitcrew-error unpack cannot unpack the upload: .*crc error/s);
    assert.deepEqual(await tree(root), ['releases', 'shared']);
    for (const [len, encoding, message] of [[gz.length, 'zstd', 'upload encoding zstd is not gzip or tar'], ['12x', 'gzip', 'upload length 12x is not a number of bytes']] as const) {
      const r = stageFromStdin(root, gz, sha256(gz), len as number, encoding, gz);
      assert.equal(r.status, 3);
      assert.match(r.err, new RegExp(`pitcrew-error usage ${message}`));
    }
    const file = targetScripts.stage(root, releaseIdFor('1.0.0', sha256(gz)), '/tmp/a.tar.gz', sha256(gz), 'x', new Date());
    const plainFile = spawnSync('sh', ['-c', file.text, 'sh', ...file.args, '', 'tar'], { encoding: 'utf8' });
    assert.match(plainFile.stderr, /pitcrew-error usage an artifact file on the target is a \.tar\.gz, not tar/);
    assert.deepEqual(await tree(root), ['releases', 'shared']);
  } finally {
    await dir.cleanup();
  }
});

test('switch writes the fence in place: only its first line counts, and it never goes down', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    await mkdir(root);
    const data = await readFile(await makeArtifact(dir.path, 'a.tar.gz', { VERSION: '1.0.0\n' }));
    const id = releaseIdFor('1.0.0', sha256(data));
    assert.equal(stageFromStdin(root, data, sha256(data)).status, 0);
    const run = (script: TargetScript): { status: number; err: string } => {
      const r = spawnSync('sh', ['-c', script.text, 'sh', ...script.args], { encoding: 'utf8' });
      return { status: r.status ?? -1, err: r.stderr };
    };
    const fence = join(root, FENCE_FILE);
    assert.equal(run(targetScripts.switchTo(root, id, 7, 'a')).status, 0);
    assert.equal(await readFile(fence, 'utf8'), '7\n');
    const inode = (await stat(fence)).ino;
    // Written by hand with leading zeros: a higher token overwrites the start, the old tail stays after the first line.
    await writeFile(fence, '00012\n');
    assert.equal(run(targetScripts.switchTo(root, id, 13, 'b')).status, 0);
    assert.equal(await readFile(fence, 'utf8'), '13\n12\n');
    assert.equal((await stat(fence)).ino, inode, 'the same file, never renamed over');
    assert.match(run(targetScripts.switchTo(root, id, 12, 'c')).err, /pitcrew-error fence 13/);
    assert.equal(run(targetScripts.switchTo(root, id, 13, 'd')).status, 0, 'an equal token is accepted');
    assert.equal(await readFile(fence, 'utf8'), '13\n12\n');
    assert.deepEqual((await readdir(join(root, '.pitcrew'))).sort(), ['fence', 'lock']);
  } finally {
    await dir.cleanup();
  }
});

/**
 * Runs `scripts` as the ssh script shell runs one request: the library's
 * functions called one after another in one subshell, with `sync` and
 * `flock` on PATH wrapped to log each call (`sync ARGS` / `flock`) to the
 * returned log.
 */
async function request(dir: string, scripts: TargetScript[]): Promise<{ status: number; out: string; err: string; log: string[] }> {
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  await mkdir(bin, { recursive: true });
  await writeFile(log, '');
  for (const tool of ['sync', 'flock']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await writeFile(join(bin, tool), `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> ${shellQuote(log)}\nexec ${real} "$@"\n`);
    await chmod(join(bin, tool), 0o755);
  }
  const calls = scripts.map((c) => `set -- ${c.args.map(shellQuote).join(' ')}\n${functionName(c.name)} "$@"\n`).join('');
  const r = spawnSync('sh', ['-c', `${scriptLibrary()}(\n${calls})`], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr, log: (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '') };
}

/** A release folder as stage leaves it: its metadata with staging order `seq` (none when 0), and its mark if given. */
async function fakeRelease(root: string, id: string, seq: number, mark?: string): Promise<void> {
  const d = join(root, 'releases', id);
  await mkdir(d, { recursive: true });
  if (seq > 0) await writeFile(join(d, '.pitcrew-release.json'), `{\n  "releaseId": "${id}",\n  "sha256": "${'0'.repeat(64)}",\n  "seq": ${seq},\n  "stagedAt": "2026-01-01T00:00:00Z"\n}\n`);
  if (mark !== undefined) await writeFile(join(d, '.pitcrew-mark'), `${mark}\n`);
}

test('a mark followed by a prune in one request is synced by the prune\'s one sync, by the request\'s end when the prune fails, and alone otherwise', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    const [a, b, c] = ['1.0.0', '1.1.0', '1.2.0'].map((v) => releaseIdFor(v, 'c'.repeat(64)));
    await mkdir(root);
    for (const [i, id] of [a, b, c].entries()) await fakeRelease(root, id, i + 1);
    await symlink(`releases/${c}`, join(root, 'current'));
    const markOf = (id: string): string => `${root}/releases/${id}/.pitcrew-mark ${root}/releases/${id}`;

    const pruned = await request(dir.path, [targetScripts.mark(root, c, 'good', true), targetScripts.prune(root, 1, [])]);
    assert.equal(pruned.status, 0, pruned.err);
    assert.deepEqual(parseRemoved(pruned.out), [a, b]);
    assert.ok(pruned.out.startsWith(`marked ${c} good\n`));
    assert.deepEqual(pruned.log, ['flock -w 30 9', `sync ${root}/releases ${markOf(c)}`], 'one sync: the removals and the mark');
    assert.equal(await readFile(join(root, 'releases', c, '.pitcrew-mark'), 'utf8'), 'good\n');

    const nothing = await request(dir.path, [targetScripts.mark(root, c, 'good', true), targetScripts.prune(root, 1, [])]);
    assert.deepEqual([nothing.status, nothing.log], [0, [`sync ${markOf(c)}`]], 'nothing to remove: no lock, the mark synced alone');

    const alone = await request(dir.path, [targetScripts.mark(root, c, 'bad')]);
    assert.deepEqual([alone.status, alone.log], [0, [`sync ${markOf(c)}`]], 'a mark on its own syncs itself');
    const unfollowed = await request(dir.path, [targetScripts.mark(root, c, 'good', true)]);
    assert.deepEqual([unfollowed.status, unfollowed.log], [0, [`sync ${markOf(c)}`]], 'a mark left for a prune that never comes is synced as the request ends');

    await fakeRelease(root, releaseIdFor('1.3.0', 'c'.repeat(64)), 4);
    await rm(join(root, '.pitcrew'), { recursive: true, force: true });
    await writeFile(join(root, '.pitcrew'), 'a file where the lock folder belongs');
    const failed = await request(dir.path, [targetScripts.mark(root, c, 'good', true), targetScripts.prune(root, 0, [])]);
    assert.equal(failed.status, 3);
    assert.match(failed.err, /pitcrew-error io cannot create/);
    assert.deepEqual(failed.log, [`sync ${markOf(c)}`], 'the prune failed before its sync: the mark is synced as the request ends');
  } finally {
    await dir.cleanup();
  }
});

interface FakeRelease {
  id: string;
  seq: number;
  mark?: string;
}

/** The pruning policy: all but the newest `keep` by staging order, then id; never current, the newest good one other than current, or one in `protect`. */
function policy(releases: FakeRelease[], current: string | undefined, keep: number, protect: string[]): string[] {
  const order = [...releases].sort((x, y) => x.seq - y.seq || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const spared = new Set([...protect, ...(current === undefined ? [] : [current])]);
  const lastGood = order.filter((d) => d.mark === 'good' && d.id !== current).pop();
  if (lastGood !== undefined) spared.add(lastGood.id);
  return order.slice(0, Math.max(0, order.length - keep)).filter((d) => !spared.has(d.id)).map((d) => d.id);
}

test('prune removes what the policy says, whatever the releases, their order, marks, current and the ids spared', async () => {
  const dir = await tempDir();
  try {
    // Few versions and digests, so ids repeat their parts and staging orders tie.
    const release = fc.record({
      version: fc.constantFrom('1.0', '1.10', '1.9', 'B2', 'a', 'a.b', 'v1+x', 'b~rc'),
      digest: fc.constantFrom('0123456789ab', 'ba9876543210', 'ffffffffffff'),
      seq: fc.integer({ min: 0, max: 4 }),
      mark: fc.constantFrom(undefined, 'good', 'bad', 'goodish'),
    }).map((r) => ({ id: `${r.version}-${r.digest}`, seq: r.seq, mark: r.mark }));
    const state = fc.uniqueArray(release, { selector: (r) => r.id, maxLength: 7 }).chain((releases) => fc.record({
      releases: fc.constant(releases),
      current: fc.option(fc.constantFrom(...releases.map((r) => r.id), 'gone-0123456789ab'), { nil: undefined }),
      keep: fc.integer({ min: 0, max: 4 }),
      protect: fc.subarray(releases.map((r) => r.id)),
    }));
    let n = 0;
    await fc.assert(fc.asyncProperty(state, async ({ releases, current, keep, protect }) => {
      const root = join(dir.path, `t${n++}`);
      await mkdir(join(root, 'releases'), { recursive: true });
      for (const r of releases) await fakeRelease(root, r.id, r.seq, r.mark);
      // Folders pitcrew did not name, and a work folder: never counted, never removed as releases.
      for (const stray of ['notes', '-0123456789ab', 'x..y-0123456789ab']) await mkdir(join(root, 'releases', stray));
      if (current !== undefined) await symlink(`releases/${current}`, join(root, 'current'));
      const s = targetScripts.prune(root, keep, protect);
      const r = spawnSync('sh', ['-c', s.text, 'sh', ...s.args], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const expected = policy(releases, current, keep, protect);
      assert.deepEqual(parseRemoved(r.stdout), expected);
      const left = (await readdir(join(root, 'releases'))).sort();
      assert.deepEqual(left, [...releases.map((x) => x.id).filter((id) => !expected.includes(id)), 'notes', '-0123456789ab', 'x..y-0123456789ab'].sort());
      await rm(root, { recursive: true });
    }), { numRuns: 80 });
  } finally {
    await dir.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { shellQuote, targetScripts, type TargetScript } from '../../src/deploy/transports/target-script.js';
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
    targetScripts.mark('/r', 'x', 'good'), targetScripts.remove('/r', []),
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

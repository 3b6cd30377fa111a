import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { shellQuote, targetScripts, type TargetScript } from '../../src/deploy/transports/target-script.js';
import {
  CURRENT_LINK, FENCE_FILE, LOCK_FILE, RELEASE_MARK_FILE, RELEASE_META_FILE, RELEASES_DIR, SHARED_DIR, TEMP_INFIX,
} from '../../src/deploy/layout.js';
import { makeArtifact, sha256, tempDir, tree } from './fixtures.js';

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
 * Runs the stage script as the ssh script shell does for an upload: its
 * artifact on stdin (`len` bytes, then the digest line), followed here by
 * `rest`; prints what the script left unread after its own output.
 */
function stageFromStdin(root: string, data: Buffer, line: string, len = data.length): { status: number; out: string; err: string } {
  const s = targetScripts.stage(root, releaseIdFor('1.0.0', sha256(data)), '', sha256(data), 'test', new Date(), len);
  const r = spawnSync('sh', ['-c', 'sh -c "$0" pitcrew-target "$@"; s=$?; printf "left:"; cat; exit $s', s.text, ...s.args], {
    input: Buffer.concat([data, Buffer.from(`${line}\nrest\n`)]), encoding: 'utf8',
  });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
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

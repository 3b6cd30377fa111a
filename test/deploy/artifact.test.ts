import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, truncate, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArtifactError, verifyArtifact } from '../../src/deploy/artifact.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { makeArtifact, rawTar, sha256, tempDir, tree, writeRawArtifact, writeWithDigest, type RawEntry } from './fixtures.js';

const APP = { 'bin/start.sh': '#!/bin/sh\necho started\n', 'README': 'app\n', 'lib/a/b.txt': 'x'.repeat(3000) };

async function refusal(file: string, options: Parameters<typeof verifyArtifact>[1] = {}): Promise<ArtifactError> {
  try {
    await verifyArtifact(file, options);
  } catch (err) {
    assert.ok(err instanceof ArtifactError, `expected an ArtifactError, got ${String(err)}`);
    assert.equal(err.code, 'artifact.invalid');
    assert.equal(err.exitCode, 1);
    assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
    return err;
  }
  assert.fail(`${file} was accepted`);
}

test('accepts a clean archive whose FILE.sha256 sits beside it, as sha256sum writes it', async () => {
  const dir = await tempDir();
  try {
    const file = await makeArtifact(dir.path, 'app.tar.gz', APP);
    const digest = sha256(await readFile(file));
    await writeFile(`${file}.sha256`, `${digest}  dist/app.tar.gz\n`);
    const result = await verifyArtifact(file);
    assert.equal(result.sha256, digest);
    assert.equal(result.path, file);
    assert.equal(result.digestSource, `${file}.sha256`);
    assert.ok(result.entries >= 5, `counted ${result.entries} entries`);
    assert.equal(result.size, (await readFile(file)).length);
  } finally {
    await dir.cleanup();
  }
});

test('accepts the digest from --sha256 in upper case, and a bare HEX line in FILE.sha256', async () => {
  const dir = await tempDir();
  try {
    const file = await makeArtifact(dir.path, 'app.tar.gz', APP);
    const digest = sha256(await readFile(file));
    assert.equal((await verifyArtifact(file, { sha256: digest.toUpperCase() })).digestSource, 'option');
    await writeFile(`${file}.sha256`, `${digest}\n`);
    assert.equal((await verifyArtifact(file, { sha256: digest })).sha256, digest);
  } finally {
    await dir.cleanup();
  }
});

test('accepts links that stay inside the release', async () => {
  const dir = await tempDir();
  try {
    const file = await writeRawArtifact(dir.path, 'links.tar.gz', [
      { name: 'lib/', type: '5' },
      { name: 'lib/v1.js', type: '0', body: 'x' },
      { name: 'lib/current.js', type: '2', linkname: 'v1.js' },
      { name: 'up', type: '2', linkname: 'lib/../lib' },
      { name: 'lib/same.js', type: '1', linkname: 'lib/v1.js' },
    ]);
    assert.equal((await verifyArtifact(file)).entries, 5);
  } finally {
    await dir.cleanup();
  }
});

test('refuses an artifact without a known digest unless allowUnverified is passed', async () => {
  const dir = await tempDir();
  try {
    const file = await makeArtifact(dir.path, 'app.tar.gz', APP);
    const err = await refusal(file);
    assert.match(err.message, /no digest to check it against: neither --sha256 nor .*app\.tar\.gz\.sha256 was given/);
    assert.match(err.hint ?? '', /sha256sum/);
    const ok = await verifyArtifact(file, { allowUnverified: true });
    assert.equal(ok.digestSource, 'none');
  } finally {
    await dir.cleanup();
  }
});

test('refuses a digest mismatch, naming the expected and the found digest', async () => {
  const dir = await tempDir();
  try {
    const file = await makeArtifact(dir.path, 'app.tar.gz', APP);
    const found = sha256(await readFile(file));
    const wrong = 'ab'.repeat(32);
    const err = await refusal(file, { sha256: wrong });
    assert.ok(err.message.endsWith(`digest mismatch: expected ${wrong}, found ${found}`), err.message);
    await writeFile(`${file}.sha256`, `${wrong}  app.tar.gz\n`);
    assert.match((await refusal(file)).message, new RegExp(`digest mismatch: expected ${wrong}, found ${found}`));
  } finally {
    await dir.cleanup();
  }
});

test('refuses a FILE.sha256 that names another file, disagrees with --sha256 or is not a digest', async () => {
  const dir = await tempDir();
  try {
    const file = await makeArtifact(dir.path, 'app.tar.gz', APP);
    const digest = sha256(await readFile(file));
    await writeFile(`${file}.sha256`, `${digest}  other.tar.gz\n`);
    assert.match((await refusal(file)).message, /has no line for app\.tar\.gz \(it names other\.tar\.gz\)/);
    await writeFile(`${file}.sha256`, `${digest}  app.tar.gz\n`);
    assert.match((await refusal(file, { sha256: 'cd'.repeat(32) })).message, /digest mismatch: --sha256 says c{1}d.* but .*\.sha256 says/);
    await writeFile(`${file}.sha256`, 'not a digest\n');
    assert.match((await refusal(file)).message, /app\.tar\.gz\.sha256:1: not a sha256 line/);
    assert.match((await refusal(file, { sha256: 'xyz' })).message, /--sha256 "xyz" is not 64 hexadecimal digits/);
  } finally {
    await dir.cleanup();
  }
});

test('refuses what is not a regular gzip file', async () => {
  const dir = await tempDir();
  try {
    assert.match((await refusal(join(dir.path, 'missing.tar.gz'), { allowUnverified: true })).message, /: no such file$/);
    await mkdir(join(dir.path, 'folder.tar.gz'));
    assert.match((await refusal(join(dir.path, 'folder.tar.gz'), { allowUnverified: true })).message, /not a regular file/);
    const plain = await writeWithDigest(dir.path, 'plain.tar.gz', rawTar([{ name: 'a', type: '0', body: 'x' }]));
    assert.match((await refusal(plain)).message, /not a gzip file \(it starts with 6100, not 1f8b\)/);
  } finally {
    await dir.cleanup();
  }
});

const MALICIOUS: Array<{ name: string; entries: RawEntry[]; problem: string }> = [
  { name: 'absolute', entries: [{ name: '/etc/cron.d/evil', type: '0', body: 'x' }], problem: 'entry "/etc/cron.d/evil" has an absolute path' },
  { name: 'dotdot', entries: [{ name: '../x', type: '0', body: 'x' }], problem: 'entry "../x" has a ".." component' },
  { name: 'inner-dotdot', entries: [{ name: 'a/../../x', type: '0', body: 'x' }], problem: 'entry "a/../../x" has a ".." component' },
  {
    name: 'symlink-abs',
    entries: [{ name: 'passwd', type: '2', linkname: '/etc/passwd' }],
    problem: 'symlink "passwd" -> "/etc/passwd" leads outside the release (absolute target)',
  },
  {
    name: 'symlink-up',
    entries: [{ name: 'a/', type: '5' }, { name: 'a/b', type: '2', linkname: '../../x' }],
    problem: 'symlink "a/b" -> "../../x" leads outside the release',
  },
  {
    name: 'symlink-through-symlink',
    entries: [
      { name: 'l', type: '2', linkname: 'd/a/../../x' },
      { name: 'd/', type: '5' },
      { name: 'd/a', type: '2', linkname: '.' },
    ],
    problem: 'symlink "l" -> "d/a/../../x" leads outside the release',
  },
  {
    name: 'symlink-loop',
    entries: [{ name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: 'a' }],
    problem: 'symlink "a" -> "b" loops through other symlinks',
  },
  {
    name: 'write-through-symlink',
    entries: [{ name: 'd', type: '2', linkname: '.' }, { name: 'd/x', type: '0', body: 'x' }],
    problem: 'entry "d/x" passes through symlink "d"',
  },
  {
    name: 'hardlink-out',
    entries: [{ name: 'h', type: '1', linkname: '../outside' }],
    problem: 'hardlink "h" -> "../outside" leads outside the release (".." in target)',
  },
  {
    name: 'hardlink-abs',
    entries: [{ name: 'h', type: '1', linkname: '/etc/shadow' }],
    problem: 'hardlink "h" -> "/etc/shadow" leads outside the release (absolute target)',
  },
  {
    name: 'hardlink-unknown',
    entries: [{ name: 'h', type: '1', linkname: 'not/in/archive' }],
    problem: 'hardlink "h" -> "not/in/archive" does not point to an earlier entry of the archive',
  },
  {
    name: 'chardev',
    entries: [{ name: 'null', type: '3' }],
    problem: 'entry "null" is a character device; only files, folders and links inside the release are allowed',
  },
  { name: 'blockdev', entries: [{ name: 'sda', type: '4' }], problem: 'entry "sda" is a block device' },
  { name: 'fifo', entries: [{ name: 'pipe', type: '6' }], problem: 'entry "pipe" is a FIFO' },
  {
    name: 'reserved',
    entries: [{ name: '.pitcrew-release.json', type: '0', body: '{}' }],
    problem: 'entry ".pitcrew-release.json" uses a name pitcrew keeps for itself',
  },
];

for (const m of MALICIOUS) {
  test(`refuses a hand-made archive: ${m.name}`, async () => {
    const dir = await tempDir();
    try {
      const file = await writeRawArtifact(dir.path, `${m.name}.tar.gz`, [{ name: 'ok.txt', type: '0', body: 'fine' }, ...m.entries]);
      const err = await refusal(file);
      assert.ok(err.message.includes(m.problem), `${err.message}\n  should say: ${m.problem}`);
    } finally {
      await dir.cleanup();
    }
  });
}

test('refuses a .tar.gz cut off at several byte offsets, saying where it ends', async () => {
  const dir = await tempDir();
  try {
    const whole = await makeArtifact(dir.path, 'app.tar.gz', { ...APP, 'big.bin': 'q'.repeat(200_000) + 'z'.repeat(200_000) });
    const size = (await readFile(whole)).length;
    for (const cut of [12, 100, Math.floor(size / 2), size - 8, size - 1]) {
      const file = join(dir.path, `cut-${cut}.tar.gz`);
      await copyFile(whole, file);
      await truncate(file, cut);
      const err = await refusal(file, { sha256: sha256(await readFile(file)) });
      assert.ok(err.message.endsWith(`gzip data truncated at byte ${cut} (the file ends before the compressed stream does)`), err.message);
    }
  } finally {
    await dir.cleanup();
  }
});

test('refuses a complete gzip of a tar that was cut off, inside an entry or between entries', async () => {
  const dir = await tempDir();
  try {
    const tar = rawTar([{ name: 'a.txt', type: '0', body: 'a'.repeat(1500) }, { name: 'b.txt', type: '0', body: 'b' }], { end: false });
    const mid = await writeWithDigest(dir.path, 'mid.tar.gz', gzipSync(tar.subarray(0, 1000)));
    assert.match((await refusal(mid)).message, /tar data truncated at byte 1000 of the unpacked stream \(1048 more bytes of the entry were expected\) \(last entry "a\.txt"\)/);
    const between = await writeWithDigest(dir.path, 'between.tar.gz', gzipSync(tar));
    assert.match((await refusal(between)).message, /tar data truncated at byte 3072 of the unpacked stream: it ends without the end-of-archive marker/);
  } finally {
    await dir.cleanup();
  }
});

test('refuses corrupt gzip data and a tar header with a bad checksum', async () => {
  const dir = await tempDir();
  try {
    const good = await makeArtifact(dir.path, 'app.tar.gz', { ...APP, 'big.bin': 'q'.repeat(50_000) });
    const bytes = await readFile(good);
    for (let i = 30; i < bytes.length - 30; i += 7) bytes[i] ^= 0x5a;
    const corrupt = await writeWithDigest(dir.path, 'corrupt.tar.gz', bytes);
    assert.match((await refusal(corrupt)).message, /gzip data corrupt within the first \d+ bytes: /);
    const tar = rawTar([{ name: 'a.txt', type: '0', body: 'a' }]);
    tar[0] = 'z'.charCodeAt(0);
    const badSum = await writeWithDigest(dir.path, 'badsum.tar.gz', gzipSync(tar));
    assert.match((await refusal(badSum)).message, /tar data invalid/);
  } finally {
    await dir.cleanup();
  }
});

test('a refused artifact never reaches a target: verify first, stage only what passed', async () => {
  const dir = await tempDir();
  try {
    const targetFolder = join(dir.path, 'target');
    await mkdir(targetFolder);
    const session = await localTransport().open({ name: 'web-1', folder: targetFolder });
    const refused: string[] = [];
    for (const m of MALICIOUS) refused.push(await writeRawArtifact(dir.path, `${m.name}.tar.gz`, m.entries));
    const cut = join(dir.path, 'cut.tar.gz');
    await writeFile(cut, (await readFile(await makeArtifact(dir.path, 'full.tar.gz', APP))).subarray(0, 200));
    refused.push(cut);
    for (const file of refused) {
      try {
        const verified = await verifyArtifact(file, { allowUnverified: true });
        await session.stage(releaseIdFor('1.0.0', verified.sha256), file, verified.sha256);
        assert.fail(`${file} was accepted and staged`);
      } catch (err) {
        if (!(err instanceof ArtifactError)) throw err;
      }
    }
    assert.deepEqual(await tree(targetFolder), []);
    await session.close();
  } finally {
    await dir.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedFileReader, type FileStamp } from '../../src/agent/probes/changed-file.js';

const NOW = 1_700_000_000_000;

/** A file system of one file whose stamp and text the test sets; counts the reads. */
function fakeFile(stamp: FileStamp, text: string) {
  const file = { stamp, text, reads: 0 };
  const reader = changedFileReader({
    stat: async () => ({ ...file.stamp }),
    readFile: async () => {
      file.reads++;
      return file.text;
    },
    now: () => NOW,
  });
  return { file, reader };
}

const settled: FileStamp = { dev: 1, ino: 10, size: 5, mtimeMs: NOW - 60_000 };

test('a file that has not changed is read once and then answered from the stat alone', async () => {
  const { file, reader } = fakeFile(settled, '4242\n');
  assert.equal(await reader('/run/runner.pid'), '4242\n');
  assert.equal(await reader('/run/runner.pid'), '4242\n');
  assert.equal(await reader('/run/runner.pid'), '4242\n');
  assert.equal(file.reads, 1);
});

test('a new inode, size or modification time makes it read the file again', async () => {
  const { file, reader } = fakeFile(settled, '4242\n');
  await reader('/run/runner.pid');
  for (const change of [{ ino: 11 }, { size: 6 }, { mtimeMs: NOW - 30_000 }, { dev: 2 }]) {
    file.stamp = { ...file.stamp, ...change };
    file.text = `${JSON.stringify(change)}\n`;
    assert.equal(await reader('/run/runner.pid'), file.text);
  }
  assert.equal(file.reads, 5);
});

test('a file modified within the last second is read on every look', async () => {
  const { file, reader } = fakeFile({ ...settled, mtimeMs: NOW - 200 }, '4242\n');
  await reader('/run/runner.pid');
  file.text = '4343\n'; // rewritten within the same timestamp tick: same stamp
  assert.equal(await reader('/run/runner.pid'), '4343\n');
  assert.equal(file.reads, 2);
});

test('another path is read, and a missing file fails with its error code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-changed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.pid');
  const b = join(dir, 'b.pid');
  writeFileSync(a, '1\n');
  writeFileSync(b, '2\n');
  const reader = changedFileReader();
  assert.equal(await reader(a), '1\n');
  assert.equal(await reader(b), '2\n');
  assert.equal(await reader(a), '1\n');
  rmSync(a);
  await assert.rejects(reader(a), { code: 'ENOENT' });
});

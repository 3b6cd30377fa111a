import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes, formatPercent, probeDisk } from '../../src/agent/probes/disk.js';
import { parseMeminfo, probeMemory } from '../../src/agent/probes/memory.js';
import { probeLoad } from '../../src/agent/probes/load.js';

const now = () => 1_700_000_000_000;

test('disk probe measures the real filesystem of a temp work directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-disk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await probeDisk(dir, { now });
  assert.equal(r.ok, true, r.detail);
  const s = await statfs(dir);
  const freeBytes = Number(r.facts?.freeBytes);
  // Other processes write meanwhile: same figure as statfs, give or take 256 MiB, in whole blocks.
  assert.ok(Math.abs(freeBytes - s.bavail * s.bsize) <= 256 * 1024 ** 2, `${freeBytes} vs ${s.bavail * s.bsize}`);
  assert.equal(freeBytes % s.bsize, 0);
  assert.ok(typeof r.value === 'number' && r.value >= 0 && r.value <= 1);
  assert.equal(r.unit, 'ratio');
  assert.ok(r.detail.endsWith(`on ${dir}`));
});

test('disk free ratio counts only blocks an unprivileged user may take, like df', async () => {
  // 1000 blocks, 300 free of which 250 available: df shows 250 / (700 + 250).
  const r = await probeDisk('/home/runner/_work', { statfs: async () => ({ bsize: 4096, blocks: 1000, bfree: 300, bavail: 250 }), now });
  assert.equal(r.value, 250 / 950);
  assert.equal(r.facts?.freeBytes, 250 * 4096);
  assert.equal(r.detail, 'disk free 26.3% (1000 KiB) on /home/runner/_work');
});

test('disk probe on a missing directory fails with the error code and the path', async () => {
  const r = await probeDisk(join(tmpdir(), 'pitcrew-no-such-dir', 'work'), { now });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'ENOENT');
  assert.match(r.detail, /could not stat the filesystem of .*pitcrew-no-such-dir/);
});

test('figures are formatted for people', () => {
  assert.equal(formatPercent(0.041), '4.1%');
  assert.equal(formatPercent(0.1), '10%');
  assert.equal(formatBytes(1024 ** 3), '1 GiB');
  assert.equal(formatBytes(512 * 1024 ** 2), '512 MiB');
  assert.equal(formatBytes(3.5 * 1024 ** 3), '3.5 GiB');
});

const MEMINFO = 'MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:     400000 kB\nHugePages_Total:       0\n';

test('memory probe reads MemAvailable and MemTotal from meminfo', async () => {
  assert.deepEqual(parseMeminfo(MEMINFO), { totalBytes: 8000000 * 1024, availableBytes: 400000 * 1024 });
  assert.deepEqual(parseMeminfo('MemTotal:        8000000 kB\nMemFree:          100000 kB\n'), { totalBytes: 8000000 * 1024, availableBytes: undefined });
  const r = await probeMemory({ meminfoPath: '/fake/meminfo', readFile: async () => MEMINFO, now });
  assert.equal(r.ok, true);
  assert.equal(r.value, 0.05);
  assert.equal(r.facts?.source, '/fake/meminfo');
});

test('memory probe falls back to os.freemem when meminfo is absent', async () => {
  const r = await probeMemory({
    meminfoPath: join(tmpdir(), 'pitcrew-no-such-dir', 'meminfo'),
    freemem: () => 250,
    totalmem: () => 1000,
    now,
  });
  assert.equal(r.ok, true);
  assert.equal(r.value, 0.25);
  assert.equal(r.facts?.source, 'os.freemem()');
});

test('memory probe on this machine gives a ratio between 0 and 1', async () => {
  const r = await probeMemory({ now });
  assert.equal(r.ok, true, r.detail);
  assert.ok(typeof r.value === 'number' && r.value > 0 && r.value <= 1);
});

test('load probe divides the 1-minute average by the cores', async () => {
  const r = await probeLoad({ loadavg: () => [12, 6, 3], cores: () => 4, now });
  assert.equal(r.value, 3);
  assert.equal(r.unit, 'per-core');
  assert.equal(r.detail, 'load 3.00 per core (1-min average 12.00 on 4 cores)');
});

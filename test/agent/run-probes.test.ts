import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProbes, withDeadline } from '../../src/agent/probes/run-probes.js';

const now = () => 1_700_000_000_000;

test('runProbes returns one result per configured probe, in a fixed order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-probes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const results = await runProbes(
    {
      runner: { pidFile: join(dir, 'runner.pid') },
      workDir: dir,
      clockSample: { sentAt: 0, receivedAt: 10, serverTime: 5 },
    },
    { now, load: { loadavg: () => [1, 1, 1], cores: () => 2 } },
  );
  assert.deepEqual(
    results.map((r) => r.probe),
    ['runner-service', 'disk', 'memory', 'load', 'clock-skew'],
  );
  assert.equal(results[0].ok, false, 'no pid file: runner not running');
  assert.equal(results[1].ok, true, results[1].detail);
  assert.equal(results[3].value, 0.5);
});

test('a hung probe becomes a failed result at its deadline while the others answer', async () => {
  const results = await runProbes(
    { workDir: '/home/runner/_work', timeoutMs: 50 },
    {
      now,
      disk: { statfs: () => new Promise(() => {}) },
      memory: { readFile: async () => 'MemTotal: 100 kB\nMemAvailable: 50 kB\n' },
      load: { loadavg: () => [0.5, 0, 0], cores: () => 1 },
    },
  );
  const disk = results.find((r) => r.probe === 'disk');
  assert.equal(disk?.ok, false);
  assert.equal(disk?.error, 'ETIMEDOUT');
  assert.equal(disk?.detail, 'probe disk gave no answer within 50 ms');
  assert.equal(results.find((r) => r.probe === 'memory')?.value, 0.5);
  assert.equal(results.find((r) => r.probe === 'load')?.ok, true);
});

test('a probe that throws or rejects becomes a failed result instead of rejecting the round', async () => {
  const results = await withDeadline(
    [
      [
        'boom',
        () => {
          throw Object.assign(new Error('no'), { code: 'EACCES' });
        },
      ],
      ['late', () => Promise.reject(new Error('gone'))],
      ['fine', async () => ({ probe: 'fine', ok: true, detail: 'fine', at: 1 })],
    ],
    1000,
    now,
  );
  assert.deepEqual(results, [
    { probe: 'boom', ok: false, error: 'EACCES', detail: 'probe boom failed: EACCES', at: now() },
    { probe: 'late', ok: false, error: 'gone', detail: 'probe late failed: gone', at: now() },
    { probe: 'fine', ok: true, detail: 'fine', at: 1 },
  ]);
  assert.deepEqual(await withDeadline([], 1000, now), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { steps } from '../../src/server/dashboard/pages/journal.js';
import { periods } from '../../src/server/dashboard/pages/timeline.js';
import type { JournalEvent } from '../../src/store/index.js';

const H = 3600_000;
const NOW = 100 * H;

test('the timeline covers the last 24 h, unknown before the first change it knows of', () => {
  const got = periods([{ atMs: NOW - 10 * H, state: 'online' }, { atMs: NOW - 2 * H, state: 'offline' }], 'offline', NOW);
  assert.deepEqual(got, [
    { state: 'unknown', from: NOW - 24 * H, to: NOW - 10 * H },
    { state: 'online', from: NOW - 10 * H, to: NOW - 2 * H },
    { state: 'offline', from: NOW - 2 * H, to: NOW },
  ]);
});

test('a change older than the window gives the state the window starts in', () => {
  const got = periods([{ atMs: NOW - 30 * H, state: 'degraded' }, { atMs: NOW - H, state: 'online' }], 'online', NOW);
  assert.deepEqual(got.map((p) => p.state), ['degraded', 'online']);
  assert.equal(got[0].from, NOW - 24 * H);
});

test('journal steps pair each start with the next event of the same step and target', () => {
  let seq = 0;
  const ev = (step: string, target: string | null, phase: string, at: number, detail: string | null = null): JournalEvent => ({ deploymentId: 'd', step, target, phase, detail, fencingToken: 1, at, seq: ++seq });
  const rows = steps([
    ev('lock', null, 'done', 0, 'token 1'),
    ev('switch', 'web-1', 'started', 10),
    ev('switch', 'web-2', 'started', 11),
    ev('switch', 'web-2', 'failed', 40, 'rename failed'),
    ev('switch', 'web-1', 'done', 20),
    ev('health-check', 'web-1', 'started', 50),
  ]);
  assert.deepEqual(
    rows.map((r) => [r.step, r.target, r.phase, r.startedAt, r.endedAt, r.detail]),
    [
      ['lock', null, 'done', null, 0, 'token 1'],
      ['switch', 'web-1', 'done', 10, 20, null],
      ['switch', 'web-2', 'failed', 11, 40, 'rename failed'],
      ['health-check', 'web-1', 'started', 50, null, null],
    ],
  );
});

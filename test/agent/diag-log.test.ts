import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagLogFollower, readNewestDiagLog, type DiagFs, type DiagLogEvent, type DiagStat } from '../../src/agent/diag-log.js';
import { pollUntil } from './poll.js';

const started = (name: string) => `[2024-05-01 10:00:00Z INFO Terminal] WRITE LINE: 2024-05-01 10:00:00Z: Running job: ${name}\n`;
const finished = (id: string, result = 'Succeeded') => `[2024-05-01 10:03:00Z INFO JobDispatcher] finish job request for job ${id} with result: ${result}\n`;

function tempDiag(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-diag-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls the follower until `count` events have been collected. */
async function collect(f: DiagLogFollower, into: DiagLogEvent[], count: number): Promise<DiagLogEvent[]> {
  return pollUntil(async () => {
    into.push(...(await f.poll()));
    return into.length >= count ? into : undefined;
  }, `${count} diag events`);
}

test('starts at the end of existing content and reports only new job events', async (t) => {
  const dir = tempDiag(t);
  const log = join(dir, 'Runner_20240501-095959-utc.log');
  writeFileSync(log, started('old-job') + finished('1'));
  const f = new DiagLogFollower({ diagDir: dir });
  assert.deepEqual(await f.poll(), []);
  appendFileSync(log, started('deploy'));
  const events: DiagLogEvent[] = [];
  await collect(f, events, 1);
  assert.deepEqual(events.map((e) => [e.kind, (e as { jobName?: string }).jobName, e.file]), [['job-started', 'deploy', log]]);
});

test('reads existing content when told to start from the beginning', async (t) => {
  const dir = tempDiag(t);
  writeFileSync(join(dir, 'Runner_20240501-095959-utc.log'), started('old-job') + finished('1', 'Failed'));
  const f = new DiagLogFollower({ diagDir: dir, fromStart: true });
  const events = await f.poll();
  assert.deepEqual(events.map((e) => e.kind), ['job-started', 'job-completed']);
  assert.deepEqual([events[1].kind === 'job-completed' && events[1].result, events[1].kind === 'job-completed' && events[1].jobName], ['Failed', 'old-job']);
});

test('holds back a half-written line until its newline arrives', async (t) => {
  const dir = tempDiag(t);
  const log = join(dir, 'Runner_20240501-100000-utc.log');
  writeFileSync(log, '');
  const f = new DiagLogFollower({ diagDir: dir });
  await f.poll();
  const line = started('build');
  appendFileSync(log, line.slice(0, 40));
  assert.deepEqual(await f.poll(), []);
  appendFileSync(log, line.slice(40));
  const events = await f.poll();
  assert.equal(events.length, 1);
  assert.equal(events[0].kind === 'job-started' && events[0].jobName, 'build');
});

test('follows the runner onto a newer log file, finishing the old one first', async (t) => {
  const dir = tempDiag(t);
  const first = join(dir, 'Runner_20240501-100000-utc.log');
  const second = join(dir, 'Runner_20240501-110000-utc.log');
  writeFileSync(first, '');
  const f = new DiagLogFollower({ diagDir: dir });
  await f.poll();
  appendFileSync(first, started('deploy'));
  writeFileSync(second, finished('7a5c'));
  const events: DiagLogEvent[] = [];
  await collect(f, events, 2);
  assert.deepEqual(
    events.map((e) => [e.kind, e.file]),
    [
      ['job-started', first],
      ['job-completed', second],
    ],
  );
  assert.equal(events[1].kind === 'job-completed' && events[1].jobName, 'deploy', 'the completion carries the started job name');
  assert.equal(f.currentFile, second);
});

test('starts over when the log is truncated or replaced under the same name', async (t) => {
  const dir = tempDiag(t);
  const log = join(dir, 'Runner_20240501-100000-utc.log');
  writeFileSync(log, started('a') + started('b') + started('c'));
  const f = new DiagLogFollower({ diagDir: dir });
  await f.poll();

  truncateSync(log, 0);
  appendFileSync(log, started('after-truncate'));
  const events: DiagLogEvent[] = [];
  await collect(f, events, 1);
  assert.equal(events[0].kind === 'job-started' && events[0].jobName, 'after-truncate');

  // Replaced by a different, longer file (new inode): read it from its start.
  const replacement = join(dir, 'replacement.tmp');
  writeFileSync(replacement, started('x'.repeat(200)) + started('after-replace'));
  renameSync(replacement, log);
  await collect(f, events, 3);
  assert.deepEqual(
    events.slice(1).map((e) => e.kind === 'job-started' && e.jobName),
    ['x'.repeat(200), 'after-replace'],
  );
});

test('start() polls on its own and reports events through onEvent until stopped', async (t) => {
  const dir = tempDiag(t);
  const seen: DiagLogEvent[] = [];
  const f = new DiagLogFollower({ diagDir: dir, intervalMs: 10, onEvent: (e) => seen.push(e) });
  f.start();
  t.after(() => f.stop());
  await f.poll(); // joins start()'s first look, which finds the folder empty
  // So a file appearing after it is new from its first byte.
  writeFileSync(join(dir, 'Runner_20240501-100000-utc.log'), started('deploy') + finished('9', 'Canceled'));
  await pollUntil(() => (seen.length >= 2 ? true : undefined), 'two events from the running follower');
  assert.deepEqual(seen.map((e) => e.kind), ['job-started', 'job-completed']);
  assert.equal(seen[1].kind === 'job-completed' && seen[1].result, 'Canceled');
});

/** A _diag folder in memory whose stats the test sets; counts the listings. */
function fakeDiag(now: number) {
  const files = new Map<string, string>();
  const state = { dir: { size: 4096, ino: 1, mtimeMs: now - 60_000 } as DiagStat, listings: 0 };
  const fs: DiagFs = {
    readdir: async () => {
      state.listings++;
      return [...files.keys()].map((f) => f.slice('/diag/'.length));
    },
    stat: async (path) => {
      if (path === '/diag') return { ...state.dir };
      const text = files.get(path);
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { size: Buffer.byteLength(text), ino: 100 + [...files.keys()].indexOf(path), mtimeMs: now };
    },
    read: async (path, start, end) => Buffer.from(files.get(path) ?? '').subarray(start, end),
  };
  /** Adds or replaces a file the way a write moves the folder's mtime (only when the file is new). */
  const write = (name: string, text: string, mtimeMs: number) => {
    const path = `/diag/${name}`;
    if (!files.has(path)) state.dir = { ...state.dir, mtimeMs };
    files.set(path, text);
  };
  return { fs, state, write };
}

test('lists the folder again only when its mtime moved, and not before its last change has settled', async () => {
  const NOW = 1_700_000_000_000;
  const { fs, state, write } = fakeDiag(NOW);
  write('Runner_20240501-100000-utc.log', '', NOW - 60_000);
  const f = new DiagLogFollower({ diagDir: '/diag', fs, now: () => NOW });
  await f.poll();
  write('Runner_20240501-100000-utc.log', started('deploy'), NOW - 60_000);
  const events = await f.poll();
  await f.poll();
  assert.deepEqual(events.map((e) => e.kind === 'job-started' && e.jobName), ['deploy']);
  assert.equal(state.listings, 1, 'appends to the log do not list the folder again');

  write('Runner_20240501-110000-utc.log', started('after-restart'), NOW - 300);
  const moved = await f.poll();
  assert.deepEqual(moved.map((e) => e.kind === 'job-started' && e.jobName), ['after-restart']);
  assert.equal(f.currentFile, '/diag/Runner_20240501-110000-utc.log');
  await f.poll();
  assert.equal(state.listings, 3, 'a folder changed within the last second is listed on every look');
});

test('readNewestDiagLog returns the lines of the newest Runner log only', async (t) => {
  const dir = tempDiag(t);
  writeFileSync(join(dir, 'Runner_20240501-100000-utc.log'), started('old'));
  writeFileSync(join(dir, 'Runner_20240502-100000-utc.log'), started('new') + finished('1'));
  writeFileSync(join(dir, 'Worker_20240503-100000-utc.log'), started('worker'));
  const got = await readNewestDiagLog(dir);
  assert.equal(got?.file, join(dir, 'Runner_20240502-100000-utc.log'));
  assert.equal(got?.lines.length, 2);
  assert.equal(await readNewestDiagLog(join(dir, 'missing')), undefined);
});

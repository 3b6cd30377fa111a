import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobTracker, type JobEvent } from '../../src/agent/jobs.js';
import type { DiagLogEvent } from '../../src/agent/diag-log.js';
import { jobResultLabel } from '../../src/agent/metrics.js';

function tracker() {
  let now = 1000;
  const events: Array<[JobEvent, string]> = [];
  const t = new JobTracker({ now: () => now, onEvent: (e, s) => void events.push([e, s]) });
  return { t, events, advance: (ms: number) => (now += ms) };
}

const diagStart = (name: string): DiagLogEvent => ({ kind: 'job-started', jobName: name, line: '', file: 'Runner_1.log' });
const diagDone = (id: string, result: string, name?: string): DiagLogEvent => ({ kind: 'job-completed', jobId: id, result, jobName: name, line: '', file: 'Runner_1.log' });

test('diag-log events drive the current job until a hook reports; after that they are ignored', () => {
  const { t, events } = tracker();
  t.fromDiag(diagStart('lint'));
  assert.equal(t.current?.name, 'lint');
  t.started({ name: 'deploy', runId: '9' }, 'hook');
  assert.equal(t.fromDiag(diagStart('deploy')), undefined);
  assert.equal(t.fromDiag(diagDone('abc', 'Succeeded', 'deploy')), undefined);
  assert.equal(t.current?.name, 'deploy');
  assert.equal(t.usingHooks, true);
  assert.deepEqual(events.map(([e, s]) => [e.event, e.job.name, s]), [['started', 'lint', 'diag'], ['started', 'deploy', 'hook']]);
});

test('a completion keeps the started job and adds what the completion knows', () => {
  const { t, events, advance } = tracker();
  t.started({ name: 'deploy', runId: '9', workflow: 'Release' }, 'hook');
  advance(5000);
  const done = t.completed({ name: 'other-name', jobId: 'j-1' }, 'failed', 'hook');
  assert.deepEqual(done?.job, { name: 'deploy', runId: '9', workflow: 'Release', jobId: 'j-1', startedAt: 1000 });
  assert.equal(done?.at, 6000);
  assert.equal(done?.result, 'failed');
  assert.equal(t.current, null);
  assert.equal(events.length, 2);
});

test('a completion with no known start still reports the job, with the completion time as its start', () => {
  const { t } = tracker();
  const done = t.fromDiag(diagDone('j-2', 'Canceled'));
  assert.deepEqual(done?.job, { name: 'unknown', jobId: 'j-2', startedAt: 1000 });
  assert.equal(done?.result, 'cancelled');
});

test('job results fold into the bounded metric label values', () => {
  assert.deepEqual(
    ['Succeeded', 'success', 'failed', 'Failure', 'Canceled', 'cancelled', 'unknown', 'SucceededWithIssues'].map(jobResultLabel),
    ['success', 'success', 'failure', 'failure', 'cancelled', 'cancelled', 'other', 'other'],
  );
});

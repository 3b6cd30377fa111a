import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findUnfinishedJob, parseDiagLine, parseJobEvent, scanDiagMessages } from '../../src/agent/diag-log.js';

// Shapes as the runner writes them (HostTraceListener header + Terminal / JobDispatcher messages).
const STARTED_TERMINAL = '[2024-05-01 10:00:00Z INFO Terminal] WRITE LINE: 2024-05-01 10:00:00Z: Running job: deploy';
const STARTED_SHORT = '[2024-05-01 10:00:00Z INFO JobDispatcher] Running job: deploy to production';
const FINISHED = '[2024-05-01 10:03:00Z INFO JobDispatcher] finish job request for job 7a5c0d4e-8f1a-4b2c-9d3e-5f6a7b8c9d0e with result: Succeeded';

test('parses the header of a diag line into time, level and source', () => {
  assert.deepEqual(parseDiagLine('[2024-05-01 10:00:00Z ERR  JobDispatcher] boom'), {
    at: Date.UTC(2024, 4, 1, 10, 0, 0),
    level: 'ERR',
    source: 'JobDispatcher',
    message: 'boom',
  });
  assert.deepEqual(parseDiagLine('   at System.Threading.Tasks'), { message: '   at System.Threading.Tasks' });
});

test('recognizes a job start as the runner traces it, and in the short form', () => {
  assert.deepEqual(parseJobEvent(STARTED_TERMINAL), { kind: 'job-started', jobName: 'deploy', at: Date.UTC(2024, 4, 1, 10), line: STARTED_TERMINAL });
  assert.equal((parseJobEvent(STARTED_SHORT) as { jobName: string }).jobName, 'deploy to production');
});

test('recognizes a job completion with its id and result', () => {
  const ev = parseJobEvent(FINISHED);
  assert.deepEqual(ev, {
    kind: 'job-completed',
    jobId: '7a5c0d4e-8f1a-4b2c-9d3e-5f6a7b8c9d0e',
    result: 'Succeeded',
    at: Date.UTC(2024, 4, 1, 10, 3),
    line: FINISHED,
  });
  assert.equal(parseJobEvent('[2024-05-01 10:03:00Z INFO JobDispatcher] Job request 42 processed succeed.'), undefined);
});

test('finds the job that started and never finished', () => {
  const lines = [STARTED_TERMINAL, FINISHED, '[2024-05-01 11:00:00Z INFO Terminal] WRITE LINE: 2024-05-01 11:00:00Z: Running job: migrate', 'noise'];
  assert.deepEqual(findUnfinishedJob(lines), { jobName: 'migrate', at: Date.UTC(2024, 4, 1, 11), index: 2 });
  assert.equal(findUnfinishedJob([STARTED_TERMINAL, FINISHED]), undefined);
  assert.equal(findUnfinishedJob([]), undefined);
});

test('finds removed-registration and deprecated-version messages with what to do', () => {
  const lines = [
    '[2024-05-01 10:00:00Z INFO MessageListener] Attempt to create session.',
    '[2024-05-01 10:00:01Z ERR  Terminal] WRITE ERROR: The runner no longer exists on the server. Please reconfigure the runner.',
    '[2024-05-01 10:00:02Z ERR  Terminal] WRITE ERROR: Failed to create a session. The runner registration has been deleted from the server, please re-configure.',
    '[2024-05-01 10:00:03Z ERR  Runner] An error occured: Runner version v2.300.0 is deprecated and cannot receive messages.',
    '[2024-05-01 10:00:04Z INFO MessageListener] Runner version has been depricated',
  ];
  const found = scanDiagMessages(lines);
  assert.deepEqual(
    found.map((f) => [f.kind, f.index, f.version]),
    [
      ['runner-removed', 1, undefined],
      ['runner-removed', 2, undefined],
      ['runner-version-deprecated', 3, '2.300.0'],
      ['runner-version-deprecated', 4, undefined],
    ],
  );
  assert.match(found[0].hint, /register it again with config\.sh/);
  assert.match(found[2].hint, /runner 2\.300\.0 is too old/);
  assert.equal(found[1].at, Date.UTC(2024, 4, 1, 10, 0, 2));
});

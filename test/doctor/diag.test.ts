import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doctor, tempDir } from './helpers.js';

const START = '[2026-11-26 10:00:00Z INFO Runner] Starting the runner';
const RUNNING = '[2026-11-26 10:01:00Z INFO Terminal] WRITE LINE: 2026-11-26 10:01:00Z: Running job: deploy';
const FINISHED = '[2026-11-26 10:04:00Z INFO JobDispatcher] finish job request for job 7a5c with result: Succeeded';

async function diagnose(t: { after: (fn: () => void) => void }, lines: string[]) {
  const dir = tempDir(t);
  const diag = join(dir, '_diag');
  mkdirSync(diag);
  // An older log that must be ignored in favour of the newest one.
  writeFileSync(join(diag, 'Runner_20261125-080000-utc.log'), `${START}\n${RUNNING}\n`);
  writeFileSync(join(diag, 'Runner_20261126-100000-utc.log'), lines.join('\n') + '\n');
  return doctor(['--runner', 'ci-1', '--diag-dir', diag, '--agent', 'http://127.0.0.1:1'], {}, dir);
}

test('a Running job line with no finish job request after it fails jobs.unfinished with the runner-offline runbook', async (t) => {
  const run = await diagnose(t, [START, FINISHED.replace('10:04', '09:59'), RUNNING]);
  const check = run.check('jobs.unfinished');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence[0], /Runner_20261126-100000-utc\.log:3: Running job: deploy/);
  assert.equal(check.runbook, 'docs/runbooks/runner-offline.md');
  assert.equal(run.code, 1);
});

test('a job that finished passes jobs.unfinished and lists its result', async (t) => {
  const run = await diagnose(t, [START, RUNNING, FINISHED]);
  assert.equal(run.check('jobs.unfinished').status, 'pass');
  assert.match(run.check('jobs.recent').evidence[0], /Succeeded/);
  assert.equal(run.check('diag.runner-removed').status, 'pass');
  assert.equal(run.check('diag.version-deprecated').status, 'pass');
});

test('"The runner no longer exists on the server" fails diag.runner-removed with the unregistered runbook', async (t) => {
  const run = await diagnose(t, [START, '[2026-11-26 10:02:00Z ERR  MessageListener] The runner no longer exists on the server. Please reconfigure the runner.']);
  const check = run.check('diag.runner-removed');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence[0], /no longer exists on the server/);
  assert.match(check.cause ?? '', /config\.sh/);
  assert.equal(check.runbook, 'docs/runbooks/runner-unregistered.md');
});

test('a deprecated runner version message fails diag.version-deprecated with its runbook', async (t) => {
  const run = await diagnose(t, [START, '[2026-11-26 10:02:00Z ERR  BrokerServer] Runner version v2.300.0 is deprecated and cannot receive messages.']);
  const check = run.check('diag.version-deprecated');
  assert.equal(check.status, 'fail');
  assert.match(check.cause ?? '', /runner 2\.300\.0 is too old/);
  assert.equal(check.runbook, 'docs/runbooks/runner-version-deprecated.md');
  assert.equal(run.check('diag.runner-removed').status, 'pass');
});

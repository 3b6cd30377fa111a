import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, GitHubApiError, type GitHubResponseInfo } from '../../src/github/client.js';
import { ExitCode } from '../../src/errors.js';
import { FakeGitHub, jobPayload, replies, runPayload, startFakeGitHub } from '../support/fake-github.js';

const TOKEN = 'ghp_s3cretT0kenValue0000000000000000000';

let gh: FakeGitHub;
let seen: GitHubResponseInfo[];

beforeEach(async () => {
  gh = await startFakeGitHub({ owner: 'acme', repo: 'shop', token: TOKEN });
  seen = [];
});
afterEach(async () => {
  await gh.close();
});

function client(token = TOKEN) {
  return createGitHubClient({ token, apiUrl: gh.url, owner: 'acme', repo: 'shop', onResponse: (i) => seen.push(i) });
}

async function apiError(p: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GitHubApiError, `expected GitHubApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

test('lists every runner across pages with their status, busy flag and label names', async () => {
  for (let i = 1; i <= 130; i++) gh.addRunner({ name: `runner-${i}`, status: i % 2 ? 'online' : 'offline', labels: ['self-hosted', 'prod'] });
  gh.expect('GET', '/repos/acme/shop/actions/runners', undefined, { times: 2 });

  const runners = await client().listRunners();

  assert.equal(runners.length, 130);
  assert.deepEqual(runners[0], { id: 1, name: 'runner-1', os: 'linux', status: 'online', busy: false, labels: ['self-hosted', 'prod'] });
  assert.equal(runners[129].name, 'runner-130');
  assert.equal(runners[129].status, 'offline');
  assert.deepEqual(
    gh.calls.map((c) => c.query.get('page')),
    [null, '2'],
  );
  gh.assertDone();
});

test('sends the token in the Authorization header and identifies itself as pitcrew', async () => {
  gh.addRunner({ name: 'runner-a' });
  gh.expect('GET', '/repos/acme/shop/actions/runners/1');
  const runner = await client().getRunner(1);
  assert.equal(runner.name, 'runner-a');
  assert.equal(gh.calls[0].headers.authorization, `token ${TOKEN}`);
  assert.match(String(gh.calls[0].headers['user-agent']), /^pitcrew\//);
  gh.assertDone();
});

test('reads a job with its runner, attempt and steps', async () => {
  gh.putJob(jobPayload({ id: 42, run_id: 7, run_attempt: 2, status: 'completed', conclusion: 'failure', runner_name: 'runner-b' }));
  gh.expect('GET', '/repos/acme/shop/actions/jobs/42');
  const job = await client().getJob(42);
  assert.equal(job.id, 42);
  assert.equal(job.runId, 7);
  assert.equal(job.runAttempt, 2);
  assert.equal(job.conclusion, 'failure');
  assert.equal(job.runnerName, 'runner-b');
  assert.equal(job.steps[1].conclusion, 'failure');
  gh.assertDone();
});

test('lists the jobs of the latest attempt, or of the attempt asked for', async () => {
  gh.putJob(jobPayload({ id: 1, run_id: 7, run_attempt: 1, conclusion: 'failure' }));
  gh.putJob(jobPayload({ id: 2, run_id: 7, run_attempt: 2, conclusion: 'success' }));
  gh.putJob(jobPayload({ id: 3, run_id: 8, run_attempt: 1 }));
  gh.expect('GET', '/repos/acme/shop/actions/runs/7/jobs');
  gh.expect('GET', '/repos/acme/shop/actions/runs/7/attempts/1/jobs');

  const latest = await client().listJobsForRun(7);
  const first = await client().listJobsForRun(7, 1);

  assert.deepEqual(latest.map((j) => j.id), [2]);
  assert.deepEqual(first.map((j) => j.id), [1]);
  assert.equal(gh.calls[0].query.get('filter'), 'latest');
  gh.assertDone();
});

test('re-runs one job with POST .../jobs/{id}/rerun and accepts 201', async () => {
  gh.expect('POST', '/repos/acme/shop/actions/jobs/42/rerun', replies.created());
  await client().rerunJob(42);
  assert.equal(gh.calls[0].status, 201);
  gh.assertDone();
});

test('re-runs the failed jobs of a run with POST .../runs/{id}/rerun-failed-jobs', async () => {
  gh.putRun(runPayload({ id: 7, status: 'completed', conclusion: 'failure', owner: 'acme', repo: 'shop' }));
  gh.expect('POST', '/repos/acme/shop/actions/runs/7/rerun-failed-jobs');
  await client().rerunFailedJobs(7);
  assert.equal(gh.calls[0].status, 201);
  assert.equal(gh.runs.get(7)?.run_attempt, 2, 'the next attempt is queued');
  gh.assertDone();
});

test('a bad token becomes a 401 error that says the token is invalid or expired, and never shows the token', async () => {
  gh.expect('GET', '/repos/acme/shop/actions/runners');
  const wrong = 'ghp_wrongTokenValue1111111111111111111111';
  const err = await apiError(client(wrong).listRunners());
  assert.equal(err.status, 401);
  assert.equal(err.method, 'GET');
  assert.equal(err.url, `${gh.url}/repos/acme/shop/actions/runners?per_page=100`);
  assert.match(err.message, /token is invalid, expired or revoked/);
  assert.match(err.message, /Bad credentials/);
  assert.equal(err.documentationUrl, 'https://docs.github.com/rest');
  assert.equal(err.exitCode, ExitCode.usage);
  const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack, hint: err.hint });
  assert.ok(!everything.includes(wrong), 'the token leaked into the error');
  gh.assertDone();
});

test('an exhausted rate limit says until when, and reports remaining 0', async () => {
  const resetSec = 1_900_000_000;
  gh.rateLimit = { limit: 5000, remaining: 0, resetSec };
  gh.expect('GET', '/repos/acme/shop/actions/jobs/9');
  const err = await apiError(client().getJob(9));
  assert.equal(err.status, 403);
  assert.match(err.message, /rate limited until 2030-03-17T17:46:40\.000Z/);
  assert.equal(err.rateLimitReset?.getTime(), resetSec * 1000);
  assert.equal(err.rateLimited, true);
  assert.equal(err.exitCode, ExitCode.unavailable);
  assert.deepEqual(seen, [{ status: 403, rateLimitRemaining: 0, rateLimitResetAt: resetSec * 1000 }]);
  gh.assertDone();
});

test('a secondary rate limit (429 with retry-after) says how long to wait', async () => {
  gh.expect('POST', '/repos/acme/shop/actions/runs/7/rerun-failed-jobs', {
    status: 429,
    headers: { 'retry-after': '60' },
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'x' },
  });
  const err = await apiError(client().rerunFailedJobs(7));
  assert.equal(err.status, 429);
  assert.equal(err.rateLimited, true);
  assert.match(err.message, /secondary rate limit hit for POST .*: retry after 60 s/);
  assert.equal(err.exitCode, ExitCode.unavailable);
  gh.assertDone();
});

test('a 404 says the repository or job is missing or the token cannot see it', async () => {
  gh.expect('GET', '/repos/acme/shop/actions/jobs/404404');
  const err = await apiError(client().getJob(404404));
  assert.equal(err.status, 404);
  assert.match(err.message, /does not exist, or the token cannot see it/);
  assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/shop\/actions\/jobs\/404404/);
  gh.assertDone();
});

test('a 403 without rate limiting names the missing permission', async () => {
  gh.expect('POST', '/repos/acme/shop/actions/jobs/42/rerun', replies.forbidden());
  const err = await apiError(client().rerunJob(42));
  assert.equal(err.status, 403);
  assert.equal(err.rateLimitReset, undefined);
  assert.match(err.message, /lacks a permission/);
  assert.match(err.hint ?? '', /Actions read\/write/);
  gh.assertDone();
});

test('a GitHub message that echoes the token is scrubbed', async () => {
  gh.expect('GET', '/repos/acme/shop/actions/jobs/1', { status: 422, body: { message: `token ${TOKEN} is odd`, documentation_url: 'x' } });
  const err = await apiError(client().getJob(1));
  assert.ok(!err.message.includes(TOKEN));
  assert.match(err.message, /\[REDACTED\]/);
  gh.assertDone();
});

test('reports status, remaining rate limit and its reset for every response, errors included', async () => {
  gh.rateLimit.remaining = 10;
  const resetAt = gh.rateLimit.resetSec * 1000;
  gh.putJob(jobPayload({ id: 1 }));
  gh.expect('GET', '/repos/acme/shop/actions/jobs/1');
  gh.expect('GET', '/repos/acme/shop/actions/jobs/2');
  const c = client();
  await c.getJob(1);
  await apiError(c.getJob(2));
  assert.deepEqual(seen, [
    { status: 200, rateLimitRemaining: 9, rateLimitResetAt: resetAt },
    { status: 404, rateLimitRemaining: 8, rateLimitResetAt: resetAt },
  ]);
  assert.deepEqual(c.rateLimit(), { remaining: 8, resetAt });
  gh.assertDone();
});

test('an unreachable API is an "unavailable" error naming the call, without the token', async () => {
  const url = gh.url;
  await gh.close();
  const c = createGitHubClient({ token: TOKEN, apiUrl: url, owner: 'acme', repo: 'shop' });
  const err = await apiError(c.getJob(1));
  assert.equal(err.status, 0);
  assert.equal(err.exitCode, ExitCode.unavailable);
  assert.match(err.message, /Could not reach GitHub for GET/);
  assert.ok(!err.message.includes(TOKEN));
  gh = await startFakeGitHub();
});

test('an answer that is not shaped like GitHub\'s is refused with the path that is wrong', async () => {
  gh.expect('GET', '/repos/acme/shop/actions/runners/1', { body: { id: 1, name: 'r', status: 'idle', busy: false, labels: [] } });
  const err = await apiError(client().getRunner(1));
  assert.match(err.message, /at status expected one of "online", "offline"/);
  gh.assertDone();
});

test('works against a GitHub Enterprise Server style base URL with a path prefix', async () => {
  gh.expect('GET', '/api/v3/repos/acme/shop/actions/jobs/5', { body: jobPayload({ id: 5 }) });
  // The fake serves every path; GHES puts the REST API under /api/v3.
  const c = createGitHubClient({ token: TOKEN, apiUrl: `${gh.url}/api/v3/`, owner: 'acme', repo: 'shop' });
  const job = await c.getJob(5);
  assert.equal(job.id, 5);
  gh.assertDone();
});

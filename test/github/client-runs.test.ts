import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, GitHubApiError, type GitHubResponseInfo } from '../../src/github/client.js';
import { FakeGitHub, runPayload, startFakeGitHub } from '../support/fake-github.js';

const TOKEN = 'ghp_runsT0kenValue00000000000000000000';

let gh: FakeGitHub;
let seen: GitHubResponseInfo[];

beforeEach(async () => {
  gh = await startFakeGitHub({ owner: 'acme', repo: 'shop', token: TOKEN, rateLimit: { remaining: 100 } });
  seen = [];
});
afterEach(async () => {
  await gh.close();
});

function client(runnersScope?: 'repository' | 'organization') {
  return createGitHubClient({ token: TOKEN, apiUrl: gh.url, owner: 'acme', repo: 'shop', runnersScope, onResponse: (i) => seen.push(i) });
}

test('polling the runners list again sends If-None-Match; a 304 keeps the list and costs no rate limit', async () => {
  gh.addRunner({ name: 'primary' });
  gh.addRunner({ name: 'secondary', status: 'offline' });
  gh.expect('GET', '/repos/acme/shop/actions/runners', undefined, { times: 3 });
  const c = client();

  const first = await c.pollRunners();
  assert.equal(first.changed, true);
  assert.deepEqual(first.runners.map((r) => `${r.name}:${r.status}`), ['primary:online', 'secondary:offline']);
  assert.equal(gh.calls[0].headers['if-none-match'], undefined);
  assert.equal(first.rateLimit.remaining, 99);
  assert.ok((first.rateLimit.resetAt ?? 0) > Date.now(), 'reset as ms since epoch');

  const second = await c.pollRunners(first.cache);
  assert.equal(gh.calls[1].status, 304);
  assert.equal(gh.calls[1].headers['if-none-match'], first.cache.pages[0].etag);
  assert.equal(second.changed, false);
  assert.deepEqual(second.runners, first.runners);
  assert.equal(second.rateLimit.remaining, 99, 'the 304 did not count');
  assert.equal(seen[1].status, 304);

  gh.setRunnerStatus('secondary', 'online');
  const third = await c.pollRunners(second.cache);
  assert.equal(gh.calls[2].status, 200);
  assert.equal(third.changed, true);
  assert.equal(third.runners[1].status, 'online');
  gh.assertDone();
});

test('each page of a long runners list is asked with its own ETag', async () => {
  for (let i = 1; i <= 130; i++) gh.addRunner({ name: `runner-${i}` });
  gh.expect('GET', '/repos/acme/shop/actions/runners', undefined, { times: 4 });
  const c = client();
  const first = await c.pollRunners();
  assert.equal(first.runners.length, 130);
  assert.equal(first.cache.pages.length, 2);
  gh.setRunnerStatus('runner-120', 'offline');
  const second = await c.pollRunners(first.cache);
  assert.deepEqual(gh.calls.slice(2).map((call) => call.status), [304, 200]);
  assert.equal(second.changed, true);
  assert.equal(second.runners.find((r) => r.name === 'runner-120')?.status, 'offline');
  gh.assertDone();
});

test('with runners: organization, the organization runners list is polled', async () => {
  gh.addRunner({ name: 'org-runner' });
  gh.expect('GET', '/orgs/acme/actions/runners');
  const answer = await client('organization').pollRunners();
  assert.deepEqual(answer.runners.map((r) => r.name), ['org-runner']);
  gh.assertDone();
});

test('reads a run, cancels it with 202, and a cancel of a completed run is a 409 GitHubApiError', async () => {
  gh.putRun(runPayload({ id: 77, status: 'in_progress', owner: 'acme', repo: 'shop' }));
  gh.expect('GET', '/repos/acme/shop/actions/runs/77', undefined, { times: 2 });
  gh.expect('POST', '/repos/acme/shop/actions/runs/77/cancel', undefined, { times: 2 });
  const c = client();
  const before = await c.getRun(77);
  assert.deepEqual(before, { id: 77, name: 'Deploy', runAttempt: 1, status: 'in_progress', conclusion: null, headSha: '3484a3fb816e0859fd6e1cea078d76385ff50625' });
  await c.cancelRun(77);
  assert.equal(gh.calls[1].status, 202);
  const after = await c.getRun(77);
  assert.equal(after.status, 'completed');
  assert.equal(after.conclusion, 'cancelled');
  await assert.rejects(c.cancelRun(77), (err: unknown) => err instanceof GitHubApiError && err.status === 409 && /Cannot cancel/.test(err.message));
  gh.assertDone();
});

test('a call the fake does not expect fails the test at assertDone', async () => {
  gh.putRun(runPayload({ id: 78 }));
  await assert.rejects(client().cancelRun(78), (err: unknown) => err instanceof GitHubApiError && err.status === 500);
  assert.throws(() => gh.assertDone(), /unexpected call: POST \/repos\/acme\/shop\/actions\/runs\/78\/cancel/);
});

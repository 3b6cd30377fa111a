import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { FakeGitHub, jobPayload, startFakeGitHub } from '../support/fake-github.js';

// The fake GitHub fails closed: these tests prove a test using it cannot pass
// when the code under test makes a call nobody expected, or skips one that was.

let gh: FakeGitHub;
afterEach(async () => {
  await gh.close();
});

function client() {
  return createGitHubClient({ token: 't0ken', apiUrl: gh.url, owner: 'o', repo: 'r' });
}

test('an unexpected call is answered 500, recorded, and fails assertDone', async () => {
  gh = await startFakeGitHub({ token: 't0ken' });
  await assert.rejects(client().rerunJob(42), (err: Error) => /unexpected call POST/.test(err.message));
  assert.equal(gh.unexpected.length, 1);
  assert.equal(gh.calls[0].status, 500);
  assert.throws(() => gh.assertDone(), /unexpected call: POST \/repos\/o\/r\/actions\/jobs\/42\/rerun/);
});

test('an expected call that never came fails assertDone', async () => {
  gh = await startFakeGitHub();
  gh.expect('POST', '/repos/o/r/actions/jobs/42/rerun');
  assert.throws(() => gh.assertDone(), /expected call never came: POST \/repos\/o\/r\/actions\/jobs\/42\/rerun \(0 of 1\)/);
});

test('an expectation is used only as many times as declared', async () => {
  gh = await startFakeGitHub();
  gh.putJob(jobPayload({ id: 42 }));
  gh.expect('GET', '/repos/o/r/actions/jobs/42', undefined, { times: 2 });
  const c = client();
  await c.getJob(42);
  await c.getJob(42);
  gh.assertDone();
  await assert.rejects(c.getJob(42));
  assert.throws(() => gh.assertDone(), /unexpected call: GET \/repos\/o\/r\/actions\/jobs\/42/);
});

test('a path with a query must match the query exactly', async () => {
  gh = await startFakeGitHub();
  gh.putJob(jobPayload({ id: 1, run_id: 7 }));
  gh.expect('GET', '/repos/o/r/actions/runs/7/jobs?filter=all');
  await assert.rejects(client().listJobsForRun(7));
  assert.throws(() => gh.assertDone(), /unexpected call: GET \/repos\/o\/r\/actions\/runs\/7\/jobs\?filter=latest&per_page=100[\s\S]*never came/);
});

test('a reply function sees the call and can answer from it', async () => {
  gh = await startFakeGitHub();
  gh.expect('POST', '/repos/o/r/actions/jobs/42/rerun', (call) => ({ status: 201, body: { echoed: call.method } }));
  await client().rerunJob(42);
  assert.equal(gh.calls[0].status, 201);
  gh.assertDone();
});

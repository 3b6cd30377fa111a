import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { pollUntil } from '../agent/poll.js';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { deliverWebhook, runPayload, startFakeGitHub, workflowJobDelivery, type FakeGitHub } from '../support/fake-github.js';
import { startTestServer, testConfigYaml, TOKENS, WEBHOOK_SECRET, type TestServer, type TestServerOptions } from './harness.js';

const JOB = { id: 4242, run_id: 777, run_attempt: 1, name: 'deploy production' };

function yaml(production: string): string {
  return testConfigYaml().replace('    path: /srv/shop\n', `    path: /srv/shop\n${production}`);
}

async function setUp(production: string, opts: Partial<TestServerOptions> = {}): Promise<{ t: TestServer; fake: FakeGitHub; agent: TestAgent }> {
  const fake = await startFakeGitHub();
  const github = createGitHubClient({ token: 'gh-token', owner: 'o', repo: 'r', apiUrl: fake.url });
  const t = await startTestServer({ yaml: yaml(production), github, runFailover: { confirmMs: 20, waitStepsMs: [5, 10, 20] }, ...opts });
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  agent.pump(() => heartbeat());
  await pollUntil(() => (t.server.fleet.view('primary')?.state === 'online' ? true : undefined), 'primary online');
  return { t, fake, agent };
}

async function jobStarts(t: TestServer, attempt = 1): Promise<void> {
  const delivery = workflowJobDelivery('in_progress', { ...JOB, run_attempt: attempt, runner_name: 'primary', started_at: new Date().toISOString() });
  const res = await deliverWebhook(`${t.url}/api/v1/github/webhook`, 'workflow_job', delivery, WEBHOOK_SECRET);
  assert.equal(res.status, 200, res.body);
}

async function loseRunner(t: TestServer, agent: TestAgent): Promise<void> {
  await agent.close();
  await pollUntil(() => (t.server.fleet.view('primary')?.state === 'offline' ? true : undefined), 'primary offline');
  await t.server.failoversSettled();
}

test('a runner lost during a job of an autoRerun environment: its run is cancelled, awaited and its failed jobs re-run, all audited', async () => {
  const { t, fake, agent } = await setUp('    autoRerun: true\n');
  try {
    fake.putRun(runPayload({ id: JOB.run_id, status: 'in_progress' }));
    fake.expect('GET', `/repos/o/r/actions/runs/${JOB.run_id}`, undefined, { times: 2 });
    fake.expect('POST', `/repos/o/r/actions/runs/${JOB.run_id}/cancel`);
    fake.expect('POST', `/repos/o/r/actions/runs/${JOB.run_id}/rerun-failed-jobs`);
    const lock = (path: string, body: unknown) => t.request(`/api/v1/environments/production/lock/${path}`, { token: 'deployer', method: 'POST', body });
    const { ownerToken } = (await lock('enqueue', { runner: 'primary' })).json;
    assert.equal((await lock('poll', { ownerToken })).json.status, 'granted');
    await jobStarts(t);

    await loseRunner(t, agent);

    fake.assertDone();
    assert.deepEqual(fake.calls.map((c) => `${c.method} ${c.pathname} ${c.status}`), [
      'GET /repos/o/r/actions/runs/777 200',
      'POST /repos/o/r/actions/runs/777/cancel 202',
      'GET /repos/o/r/actions/runs/777 200',
      'POST /repos/o/r/actions/runs/777/rerun-failed-jobs 201',
    ]);
    const audit = (await t.store.listAudit()).filter((a) => a.action.startsWith('run.')).reverse();
    assert.deepEqual(audit.map((a) => `${a.action} ${a.target}`), ['run.cancel 777:1', 'run.rerun 777:1']);
    assert.match(audit[0].detail ?? '', /runner primary went offline while running job deploy production \(agent connection closed\)/);
    assert.match(audit[1].detail ?? '', /re-run 1 of at most 2 for production/);
    assert.equal((await t.store.lockStatus('production', Date.now())).holder, null, 'the lost runner no longer holds the lock');

    // GitHub then reports the cancelled job: nothing more is asked of it.
    const completed = workflowJobDelivery('completed', { ...JOB, runner_name: 'primary', conclusion: 'cancelled', started_at: new Date(Date.now() - 5000).toISOString(), completed_at: new Date().toISOString() });
    const answer = await deliverWebhook(`${t.url}/api/v1/github/webhook`, 'workflow_job', completed, WEBHOOK_SECRET);
    assert.equal(JSON.parse(answer.body).action, 'not-rerun', answer.body);
    assert.match(JSON.parse(answer.body).reason, /already re-run/);
    fake.assertDone();
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('without autoRerun a lost job is left to GitHub, and the skip is audited with its reason', async () => {
  const { t, fake, agent } = await setUp('');
  try {
    await jobStarts(t);
    await loseRunner(t, agent);
    fake.assertDone();
    assert.equal(fake.calls.length, 0);
    const skipped = await t.store.listAudit({ action: 'run.rerun-skipped' });
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].detail ?? '', /not re-run: autoRerun is off for environment production/);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('maxReruns counts the re-runs an earlier server made (read back from the audit log)', async () => {
  const seed: TestServerOptions['seed'] = async (store) => {
    await store.appendAudit({ at: Date.now() - 60_000, actor: 'pitcrew-server', action: 'run.rerun', target: `${JOB.run_id}:1`, detail: 'earlier' });
  };
  const { t, fake, agent } = await setUp('    autoRerun: true\n    maxReruns: 1\n', { seed });
  try {
    // The re-run (attempt 2) loses its runner too.
    await jobStarts(t, 2);
    await loseRunner(t, agent);
    fake.assertDone();
    assert.equal(fake.calls.length, 0);
    const skipped = await t.store.listAudit({ action: 'run.rerun-skipped' });
    assert.match(skipped[0]?.detail ?? '', /run 777 was already re-run 1 times \(maxReruns 1 for production\)/);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('a cancel GitHub refuses is audited as run.cancel-failed and nothing is re-run', async () => {
  const { t, fake, agent } = await setUp('    autoRerun: true\n');
  try {
    fake.putRun(runPayload({ id: JOB.run_id, status: 'in_progress' }));
    fake.expect('GET', `/repos/o/r/actions/runs/${JOB.run_id}`);
    fake.expect('POST', `/repos/o/r/actions/runs/${JOB.run_id}/cancel`, { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } });
    await jobStarts(t);
    await loseRunner(t, agent);
    fake.assertDone();
    const failed = await t.store.listAudit({ action: 'run.cancel-failed' });
    assert.equal(failed.length, 1);
    assert.match(failed[0].detail ?? '', /GitHub refused POST .*\/runs\/777\/cancel \(403\)/);
    assert.equal((await t.store.listAudit({ action: 'run.rerun' })).length, 0);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('a runner whose agent is back before the loss is confirmed keeps its run: nothing is cancelled', async () => {
  const { t, fake, agent } = await setUp('    autoRerun: true\n', { runFailover: { confirmMs: 1500, waitStepsMs: [5] } });
  try {
    await jobStarts(t);
    await agent.close();
    await pollUntil(() => (t.server.fleet.view('primary')?.state === 'offline' ? true : undefined), 'primary offline');
    const again = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    again.pump(() => heartbeat());
    await pollUntil(() => (t.server.fleet.view('primary')?.state !== 'offline' ? true : undefined), 'primary answering again');
    await t.server.failoversSettled();
    await again.close();
    fake.assertDone();
    assert.equal(fake.calls.length, 0);
    const skipped = await t.store.listAudit({ action: 'run.rerun-skipped' });
    assert.match(skipped[0]?.detail ?? '', /runner primary was (degraded|online) again 1500 ms later: not lost/);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('a lost job whose run was re-run already (the run is at a later attempt) is left alone', async () => {
  const { t, fake, agent } = await setUp('    autoRerun: true\n');
  try {
    fake.putRun(runPayload({ id: JOB.run_id, status: 'in_progress', run_attempt: 2 }));
    fake.expect('GET', `/repos/o/r/actions/runs/${JOB.run_id}`);
    await jobStarts(t, 1);
    await loseRunner(t, agent);
    fake.assertDone();
    const skipped = await t.store.listAudit({ action: 'run.rerun-skipped' });
    assert.deepEqual(skipped.map((a) => a.target), ['777:2']);
    assert.match(skipped[0].detail ?? '', /run 777 is at attempt 2, the lost job was in attempt 1: it was re-run already/);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

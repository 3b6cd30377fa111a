import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { createServerMetrics } from '../../src/server/index.js';
import { pollUntil } from '../agent/poll.js';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { deliverWebhook, runPayload, startFakeGitHub, workflowJobDelivery } from '../support/fake-github.js';
import { parseConfigText } from '../../src/config/index.js';
import { startTestServer, TEST_ENV, testConfigYaml, TOKENS, WEBHOOK_SECRET, type TestServer } from './harness.js';

const hookUrl = (t: TestServer) => `${t.url}/api/v1/github/webhook`;

/** The test configuration with autoRerun on for production. */
function autoRerunYaml(): string {
  return testConfigYaml().replace('    path: /srv/shop\n', '    path: /srv/shop\n    autoRerun: true\n');
}

async function onlineAgent(t: TestServer, runner: string): Promise<TestAgent> {
  const agent = await TestAgent.connect(t.url, runner, TOKENS.agent);
  agent.pump(() => heartbeat());
  await pollUntil(() => (t.server.fleet.view(runner)?.state === 'online' ? true : undefined), `${runner} online`);
  return agent;
}

async function metricsText(t: TestServer): Promise<string> {
  const res = await t.request('/metrics', { token: 'viewer' });
  assert.equal(res.status, 200);
  return String(res.json);
}

test('a delivery with a bad signature is refused with 401 and counted as invalid', async () => {
  const t = await startTestServer();
  try {
    const payload = workflowJobDelivery('completed', { runner_name: 'primary', conclusion: 'failure' });
    const bad = await deliverWebhook(hookUrl(t), 'workflow_job', payload, 'some-other-secret');
    assert.equal(bad.status, 401);
    assert.equal(JSON.parse(bad.body).error.code, 'webhook-mismatch');
    const unsigned = await deliverWebhook(hookUrl(t), 'workflow_job', payload, WEBHOOK_SECRET, { signature: null });
    assert.equal(unsigned.status, 401);
    const ok = await deliverWebhook(hookUrl(t), 'ping', { zen: 'hi' }, WEBHOOK_SECRET);
    assert.equal(ok.status, 202);
    const text = await metricsText(t);
    assert.match(text, /pitcrew_webhooks_received_total\{valid="false"\} 2/);
    assert.match(text, /pitcrew_webhooks_received_total\{valid="true"\} 1/);
  } finally {
    await t.dispose();
  }
});

test('a job that failed on a runner that went offline unnoticed gets its run\'s failed jobs re-run exactly once, audited, and its lock freed', async () => {
  const fake = await startFakeGitHub();
  fake.putRun(runPayload({ id: 7, status: 'completed', conclusion: 'failure' }));
  fake.expect('GET', '/repos/o/r/actions/runs/7');
  fake.expect('POST', '/repos/o/r/actions/runs/7/rerun-failed-jobs');
  const yaml = autoRerunYaml();
  const metrics = createServerMetrics(parseConfigText(yaml, 'pitcrew.yml', TEST_ENV).config);
  const github = createGitHubClient({ token: 'gh-token', owner: 'o', repo: 'r', apiUrl: fake.url, onResponse: (r) => metrics.githubResponse(r.status) });
  const t = await startTestServer({ yaml, github, metrics });
  try {
    const agent = await onlineAgent(t, 'primary');
    const lock = (path: string, body: unknown) => t.request(`/api/v1/environments/production/lock/${path}`, { token: 'deployer', method: 'POST', body });
    const { ownerToken } = (await lock('enqueue', { runner: 'primary' })).json;
    assert.equal((await lock('poll', { ownerToken })).json.status, 'granted');

    // No in_progress delivery: the server does not know the job when the runner goes offline.
    const startedAt = new Date(Date.now() - 1).toISOString();
    const fields = { id: 901, run_id: 7, runner_name: 'primary', started_at: startedAt };
    await agent.close();
    await pollUntil(() => (t.server.fleet.view('primary')?.state === 'offline' ? true : undefined), 'primary offline');
    const completed = workflowJobDelivery('completed', { ...fields, conclusion: 'failure', completed_at: new Date().toISOString() });
    const first = await deliverWebhook(hookUrl(t), 'workflow_job', completed, WEBHOOK_SECRET);
    assert.equal(first.status, 200);
    assert.equal(JSON.parse(first.body).action, 'rerun', first.body);
    const again = await deliverWebhook(hookUrl(t), 'workflow_job', completed, WEBHOOK_SECRET);
    assert.equal(JSON.parse(again.body).action, 'not-rerun', 'a redelivery does not re-run twice');

    fake.assertDone();
    assert.equal(fake.calls.filter((c) => c.method === 'POST').length, 1);
    const audit = await t.store.listAudit({ action: 'run.rerun' });
    assert.deepEqual(audit.map((a) => a.target), ['7:1']);
    assert.match(audit[0].detail ?? '', /runner primary went offline during the job/);
    assert.match(audit[0].detail ?? '', /re-run 1 of at most 2 for production/);
    assert.equal((await t.store.lockStatus('production', Date.now())).holder, null, 'the lost runner no longer holds the lock');
    const text = await metricsText(t);
    assert.match(text, /pitcrew_failovers_total\{environment="production"\} 1/);
    assert.match(text, /pitcrew_github_api_requests_total\{status="2xx"\} 2/);
    assert.match(text, /pitcrew_runner_state\{runner="primary",state="offline"\} 1/);
  } finally {
    await t.dispose();
    await fake.close();
  }
});

test('a job that failed on a healthy runner is not re-run', async () => {
  const fake = await startFakeGitHub();
  const github = createGitHubClient({ token: 'gh-token', owner: 'o', repo: 'r', apiUrl: fake.url });
  const t = await startTestServer({ github });
  const agent = await onlineAgent(t, 'primary');
  try {
    const started = new Date(Date.now() - 1).toISOString();
    const payload = workflowJobDelivery('completed', { id: 902, runner_name: 'primary', conclusion: 'failure', started_at: started, completed_at: new Date().toISOString() });
    const res = await deliverWebhook(hookUrl(t), 'workflow_job', payload, WEBHOOK_SECRET);
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.action, 'not-rerun');
    assert.match(body.reason, /stayed up during job 902: a real failure/);
    fake.assertDone();
    assert.equal(fake.calls.length, 0);
  } finally {
    await agent.close();
    await t.dispose();
    await fake.close();
  }
});

test('a delivery with a valid signature but a broken payload is a 400 naming the JSON path', async () => {
  const t = await startTestServer();
  try {
    const payload = workflowJobDelivery('completed', { runner_name: 'primary' }) as { workflow_job: Record<string, unknown> };
    payload.workflow_job.id = 'nine';
    const res = await deliverWebhook(hookUrl(t), 'workflow_job', payload, WEBHOOK_SECRET);
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body).error.message, /workflow_job\.id/);
  } finally {
    await t.dispose();
  }
});

test('the earlier webhook path is answered the same way', async () => {
  const t = await startTestServer();
  try {
    const res = await deliverWebhook(`${t.url}/api/v1/webhooks/github`, 'workflow_job', workflowJobDelivery('queued', { id: 903 }), 'wrong-secret');
    assert.equal(res.status, 401);
  } finally {
    await t.dispose();
  }
});

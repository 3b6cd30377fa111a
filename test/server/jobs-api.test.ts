import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliverWebhook, workflowJobDelivery } from '../support/fake-github.js';
import { startTestServer, WEBHOOK_SECRET } from './harness.js';

test('queue time and duration of each job come from its workflow_job deliveries and are listed per runner and measured', async () => {
  const t = await startTestServer();
  try {
    const hook = (payload: unknown) => deliverWebhook(`${t.url}/api/v1/github/webhook`, 'workflow_job', payload, WEBHOOK_SECRET);
    const times = { created_at: '2024-05-01T10:00:00Z', started_at: '2024-05-01T10:00:12Z' };
    assert.equal((await hook(workflowJobDelivery('queued', { id: 31, run_id: 9, created_at: times.created_at }))).status, 200);
    assert.equal((await hook(workflowJobDelivery('in_progress', { id: 31, run_id: 9, runner_name: 'primary', ...times }))).status, 200);
    assert.equal((await hook(workflowJobDelivery('completed', { id: 31, run_id: 9, runner_name: 'primary', ...times, completed_at: '2024-05-01T10:02:12Z' }))).status, 200);
    assert.equal((await hook(workflowJobDelivery('in_progress', { id: 32, run_id: 10, runner_name: 'secondary', ...times }))).status, 200);

    const res = await t.request('/api/v1/jobs?runner=primary', { token: 'viewer' });
    assert.equal(res.status, 200);
    assert.equal(res.json.jobs.length, 1);
    const [job] = res.json.jobs;
    assert.equal(job.jobId, 31);
    assert.equal(job.runId, 9);
    assert.equal(job.repository, 'o/r');
    assert.equal(job.status, 'completed');
    assert.equal(job.conclusion, 'success');
    assert.equal(job.queueMs, 12_000);
    assert.equal(job.durationMs, 120_000);
    assert.equal((await t.request('/api/v1/jobs', { token: 'viewer' })).json.jobs.length, 2);
    assert.equal((await t.request('/api/v1/jobs?runner=nobody', { token: 'viewer' })).status, 404);
    assert.equal((await t.request('/api/v1/jobs?limit=0', { token: 'viewer' })).status, 400);
    assert.equal((await t.request('/api/v1/jobs', { token: null })).status, 401);

    const metrics = String((await t.request('/metrics', { token: 'viewer' })).json);
    assert.match(metrics, /^pitcrew_github_job_queue_seconds_sum\{runner="primary"\} 12$/m);
    assert.match(metrics, /^pitcrew_github_job_duration_seconds_sum\{runner="primary"\} 120$/m);
    assert.match(metrics, /^pitcrew_github_job_duration_seconds_count\{runner="primary"\} 1$/m);
  } finally {
    await t.dispose();
  }
});

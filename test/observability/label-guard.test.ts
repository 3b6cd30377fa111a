import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_METRIC_DEFS } from '../../src/observability/catalogue.js';
import { LabelGuard } from '../../src/observability/label-guard.js';
import { createServerMetrics, githubStatusLabel } from '../../src/observability/server-metrics.js';

const server = () => createServerMetrics({ runners: ['runner-a', 'runner-b'], environments: ['production', 'staging'], defaultMetrics: false, now: () => 100_000 });

test('a secret, job id or SHA given as a label value is recorded as other', async () => {
  const m = server();
  const secret = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
  m.deploymentsTotal.inc({ environment: secret, result: 'failed' });
  m.rollbacksTotal.inc({ environment: 'production', reason: '4f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291' });
  m.failoversTotal.labels('12345678901').inc();
  m.deployQueueLength.set({ environment: 'job-98765' }, 2);
  const text = await m.registry.metrics();
  for (const leaked of [secret, '4f2a9c1e', '12345678901', 'job-98765']) assert.ok(!text.includes(leaked), `${leaked} reached the exposition`);
  assert.match(text, /pitcrew_deployments_total\{environment="other",result="failed"\} 1/);
  assert.match(text, /pitcrew_rollbacks_total\{environment="production",reason="other"\} 1/);
  assert.match(text, /pitcrew_failovers_total\{environment="other"\} 1/);
});

test('configured names and enum values pass through unchanged', async () => {
  const m = server();
  m.deploymentsTotal.inc({ environment: 'staging', result: 'succeeded' });
  m.rollbacksTotal.labels({ environment: 'production', reason: 'health_check' }).inc();
  const end = m.deploymentDuration.startTimer({ environment: 'production' });
  end();
  const text = await m.registry.metrics();
  assert.match(text, /pitcrew_deployments_total\{environment="staging",result="succeeded"\} 1/);
  assert.match(text, /pitcrew_rollbacks_total\{environment="production",reason="health_check"\} 1/);
  assert.match(text, /pitcrew_deployment_duration_seconds_count\{environment="production"\} 1/);
});

test('a label the metric does not declare is refused', () => {
  const m = server();
  assert.throws(() => m.deploymentsTotal.inc({ environment: 'production', result: 'failed', sha: 'abc' } as never), /has no label "sha"/);
  assert.throws(() => new LabelGuard().labels(SERVER_METRIC_DEFS.incidentsOpen, { id: '1' }), /its labels are: \(none\)/);
});

test('runner names outside the configuration never get series of their own', async () => {
  const m = server();
  m.setFleet([
    { name: 'runner-a', state: 'online', environments: ['production'], lastHeartbeatAt: 98_000 },
    { name: 'rogue-runner', state: 'offline', environments: ['production', 'secret-env'] },
  ]);
  const text = await m.registry.metrics();
  assert.ok(!text.includes('rogue-runner') && !text.includes('secret-env'));
  assert.match(text, /pitcrew_runner_state\{runner="runner-a",state="online"\} 1/);
  assert.match(text, /pitcrew_runner_state\{runner="runner-b",state="offline"\} 0/);
  assert.match(text, /pitcrew_runners\{state="offline",environment="production"\} 1/);
  assert.match(text, /pitcrew_runners\{state="offline",environment="other"\} 1/);
  assert.match(text, /pitcrew_runner_last_heartbeat_age_seconds\{runner="runner-a"\} 2/);
});

test('changing the configured names admits the new ones and starts their series at zero', async () => {
  const m = server();
  m.deploymentsTotal.inc({ environment: 'qa', result: 'failed' });
  m.setDomain({ environments: ['production', 'staging', 'qa'] });
  m.deploymentsTotal.inc({ environment: 'qa', result: 'failed' });
  const text = await m.registry.metrics();
  assert.match(text, /pitcrew_deployments_total\{environment="qa",result="failed"\} 1/);
  assert.match(text, /pitcrew_deployments_total\{environment="qa",result="succeeded"\} 0/);
  assert.match(text, /pitcrew_deployments_total\{environment="other",result="failed"\} 1/);
});

test('GitHub statuses collapse into a small fixed set', async () => {
  assert.equal(githubStatusLabel(200), '2xx');
  assert.equal(githubStatusLabel(201), '2xx');
  assert.equal(githubStatusLabel(429), '429');
  assert.equal(githubStatusLabel(418), '4xx');
  assert.equal(githubStatusLabel(503), '5xx');
  assert.equal(githubStatusLabel(undefined), 'network_error');
  assert.equal(githubStatusLabel(999), 'network_error');
  const m = server();
  m.recordGithubRequest(403, 12);
  m.recordWebhook(false);
  const text = await m.registry.metrics();
  assert.match(text, /pitcrew_github_api_requests_total\{status="403"\} 1/);
  assert.match(text, /pitcrew_github_rate_limit_remaining 12/);
  assert.match(text, /pitcrew_webhooks_received_total\{valid="false"\} 1/);
});

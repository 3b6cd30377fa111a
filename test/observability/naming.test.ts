import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { createAgentMetrics } from '../../src/observability/agent-metrics.js';
import { DURATION_BUCKETS, METRIC_CATALOGUE } from '../../src/observability/catalogue.js';
import { createServerMetrics } from '../../src/observability/server-metrics.js';

const SUFFIX: Record<string, string> = { seconds: '_seconds', bytes: '_bytes', ratio: '_ratio', timestamp_seconds: '_timestamp_seconds' };

async function registered() {
  const agent = createAgentMetrics({ defaultMetrics: false });
  const server = createServerMetrics({ runners: ['r1'], environments: ['production'], defaultMetrics: false });
  return [...(await agent.registry.getMetricsAsJSON()), ...(await server.registry.getMetricsAsJSON())];
}

test('every registered metric follows the naming conventions for its type and unit', async () => {
  const metrics = await registered();
  assert.ok(metrics.length >= METRIC_CATALOGUE.length);
  for (const metric of metrics) {
    const m = { name: metric.name, help: metric.help, type: String(metric.type) };
    const def = METRIC_CATALOGUE.find((d) => d.name === m.name && d.type === m.type);
    assert.ok(def, `${m.name} (${m.type}) is registered but not in the catalogue`);
    assert.match(m.name, /^pitcrew_[a-z0-9_]+$/);
    if (m.type === 'counter') assert.ok(m.name.endsWith('_total'), `counter ${m.name} must end in _total`);
    else assert.ok(!m.name.endsWith('_total'), `${m.type} ${m.name} must not end in _total`);
    const suffix = SUFFIX[def.unit];
    if (suffix) assert.ok(m.name.endsWith(suffix), `${m.name} is in ${def.unit} and must end in ${suffix}`);
    for (const s of Object.values(SUFFIX)) if (!suffix && m.name.endsWith(s)) assert.fail(`${m.name} ends in ${s} but its unit is ${def.unit}`);
    for (const label of Object.keys(def.labels)) assert.match(label, /^[a-z][a-z_]*$/);
    assert.ok(m.help.length > 10, `${m.name} needs a help text`);
  }
});

test('every catalogue metric is registered by its process, and only there', async () => {
  const agent = await createAgentMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
  const server = await createServerMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
  for (const def of METRIC_CATALOGUE) {
    const mine = def.process === 'agent' ? agent : server;
    assert.ok(mine.some((m) => m.name === def.name), `${def.name} is not registered by the ${def.process}`);
  }
  assert.equal(agent.filter((m) => m.name === 'pitcrew_runners').length, 0);
});

test('duration histograms have 600 s exactly on a bucket boundary', async () => {
  assert.ok((DURATION_BUCKETS as readonly number[]).includes(600));
  const server = createServerMetrics({ environments: ['production'], defaultMetrics: false });
  server.deploymentDuration.observe({ environment: 'production' }, 600);
  const text = await server.registry.metrics();
  assert.match(text, /pitcrew_deployment_duration_seconds_bucket\{le="600",environment="production"\} 1/);
  assert.match(text, /pitcrew_deployment_duration_seconds_bucket\{le="300",environment="production"\} 0/);
});

test('each process has its own registry and leaves the global one empty', async () => {
  const a = createAgentMetrics();
  const b = createAgentMetrics();
  a.jobsTotal.inc({ result: 'success' });
  assert.notEqual(a.registry, b.registry);
  assert.match(await a.registry.metrics(), /pitcrew_runner_jobs_total\{result="success"\} 1/);
  assert.match(await b.registry.metrics(), /pitcrew_runner_jobs_total\{result="success"\} 0/);
  assert.match(await a.registry.metrics(), /process_cpu_user_seconds_total/);
  assert.equal((await register.getMetricsAsJSON()).length, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentMetrics, probeLabel, updateFromProbes, type ProbeReading } from '../../src/observability/agent-metrics.js';
import { AGENT_METRIC_DEFS, PROBE_LABELS, JOB_RESULTS, RUNNER_STATES } from '../../src/observability/catalogue.js';

const HEALTHY: ProbeReading[] = [
  { probe: 'runner-service', ok: true },
  { probe: 'disk', ok: true, value: 0.42, facts: { path: '/srv/runner/_work', freeBytes: 21474836480, totalBytes: 51130564608 } },
  { probe: 'memory', ok: true, value: 0.61 },
  { probe: 'load', ok: true, value: 0.25 },
  { probe: 'clock-skew', ok: true, value: 12 },
  { probe: 'tcp:server', ok: true, value: 3 },
];

/** `name{labels} value` lines of the exposition, without comments. */
function samples(text: string): string[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

test('after one round of probes the exposition has every catalogued agent series', async () => {
  const m = createAgentMetrics();
  updateFromProbes(m, HEALTHY);
  m.setState('online');
  m.lastHeartbeat.set(1_700_000_000);
  m.jobDuration.observe(75);
  const lines = samples(await m.registry.metrics());
  const has = (series: string) => lines.some((l) => l.startsWith(`${series} `));
  for (const def of Object.values(AGENT_METRIC_DEFS)) {
    if (def.type === 'histogram') for (const s of ['_sum', '_count']) assert.ok(has(def.name + s), def.name + s);
    else if (Object.keys(def.labels).length === 0) assert.ok(has(def.name), def.name);
  }
  for (const s of RUNNER_STATES) assert.ok(has(`pitcrew_runner_state{state="${s}"}`), s);
  for (const r of JOB_RESULTS) assert.ok(has(`pitcrew_runner_jobs_total{result="${r}"}`), r);
  for (const p of PROBE_LABELS) assert.ok(has(`pitcrew_runner_probe_failures_total{probe="${p}"}`), p);
  assert.ok(has('pitcrew_runner_job_duration_seconds_bucket{le="600"}'));
  assert.ok(lines.includes('pitcrew_runner_disk_free_ratio 0.42'));
  assert.ok(lines.includes('pitcrew_runner_disk_free_bytes 21474836480'));
  assert.ok(lines.includes('pitcrew_runner_memory_available_ratio 0.61'));
  assert.ok(lines.includes('pitcrew_runner_load_per_core 0.25'));
  assert.ok(lines.includes('pitcrew_runner_up 1'));
  assert.ok(lines.includes('pitcrew_runner_state{state="online"} 1'));
  assert.ok(lines.includes('pitcrew_runner_state{state="offline"} 0'));
  assert.ok(lines.includes('pitcrew_agent_last_heartbeat_timestamp_seconds 1700000000'));
  assert.ok(lines.some((l) => l.startsWith('nodejs_heap_size_used_bytes')), 'default process metrics');
});

test('process metrics leave out the event-loop delay histogram, whose 10 ms sampling timer would dominate the agent\'s CPU', async () => {
  const names = (await createAgentMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
  assert.ok(names.includes('nodejs_eventloop_lag_seconds'), 'the lag measured at scrape time stays');
  assert.ok(names.includes('process_resident_memory_bytes'));
  assert.ok(names.includes('nodejs_gc_duration_seconds'));
  assert.deepEqual(names.filter((n) => /^nodejs_eventloop_lag_.+_seconds$/.test(n)), []);
});

test('figures not measured yet are NaN, so no threshold alert can fire on them', async () => {
  const lines = samples(await createAgentMetrics({ defaultMetrics: false }).registry.metrics());
  for (const name of ['pitcrew_runner_disk_free_ratio', 'pitcrew_runner_memory_available_ratio', 'pitcrew_runner_up']) {
    assert.ok(lines.includes(`${name} Nan`), name);
  }
});

test('failed probes are counted, and every tcp probe counts under one bounded label', async () => {
  const m = createAgentMetrics({ defaultMetrics: false });
  updateFromProbes(m, HEALTHY);
  updateFromProbes(m, [
    { probe: 'tcp:db-primary.internal', ok: false, error: 'ECONNREFUSED' },
    { probe: 'tcp:10.1.2.3', ok: false, error: 'ETIMEDOUT' },
    { probe: 'disk', ok: false, error: 'EACCES' },
    { probe: 'mystery', ok: false },
  ]);
  const text = await m.registry.metrics();
  assert.match(text, /pitcrew_runner_probe_failures_total\{probe="tcp"\} 2/);
  assert.match(text, /pitcrew_runner_probe_failures_total\{probe="disk"\} 1/);
  assert.match(text, /pitcrew_runner_probe_failures_total\{probe="other"\} 1/);
  assert.ok(!text.includes('db-primary') && !text.includes('10.1.2.3') && !text.includes('mystery'));
  // The disk gauge keeps its last good figure rather than dropping to 0.
  assert.match(text, /pitcrew_runner_disk_free_ratio 0.42/);
});

test('the runner service probe sets runner_up only when it knows', async () => {
  const m = createAgentMetrics({ defaultMetrics: false });
  updateFromProbes(m, [{ probe: 'runner-service', ok: true }]);
  updateFromProbes(m, [{ probe: 'runner-service', ok: false, error: 'ETIMEDOUT' }]);
  assert.match(await m.registry.metrics(), /pitcrew_runner_up 1\n/);
  updateFromProbes(m, [{ probe: 'runner-service', ok: false }]);
  const text = await m.registry.metrics();
  assert.match(text, /pitcrew_runner_up 0\n/);
  assert.match(text, /pitcrew_runner_probe_failures_total\{probe="runner-service"\} 2/);
});

test('probe names map to their label', () => {
  assert.equal(probeLabel('tcp:anything'), 'tcp');
  assert.equal(probeLabel('clock-skew'), 'clock-skew');
  assert.equal(probeLabel('runner-service'), 'runner-service');
  assert.equal(probeLabel('ghp_abcdef'), 'other');
});

test('setState leaves exactly one state at 1', async () => {
  const m = createAgentMetrics({ defaultMetrics: false });
  m.setState('degraded');
  m.setState('offline');
  const on = samples(await m.registry.metrics()).filter((l) => l.startsWith('pitcrew_runner_state{') && l.endsWith(' 1'));
  assert.deepEqual(on, ['pitcrew_runner_state{state="offline"} 1']);
});

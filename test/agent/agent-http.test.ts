import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAgentApp, isLoopback } from '../../src/agent/http.js';
import { serveHttp } from '../../src/agent/listen.js';
import type { ProbeResult } from '../../src/agent/probes/types.js';
import type { AgentStatus } from '../../src/agent/status.js';
import { FakeServer } from '../support/fake-server.js';
import { pollUntil } from './poll.js';
import { agentFor, tempDir } from './agent-helpers.js';

type Frame = Record<string, unknown>;

/** The value of one series in Prometheus text, e.g. `pitcrew_runner_state{state="degraded"}`. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function metricsText(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
}

test('serves the pitcrew_ series on /metrics and updates them from probes and acks', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  let freeRatio = 0.5;
  const probes = async (): Promise<ProbeResult[]> => [
    { probe: 'runner-service', ok: true, detail: 'alive', at: 1 },
    { probe: 'disk', ok: true, value: freeRatio, facts: { freeBytes: freeRatio * 1e10, path: '/w' }, detail: 'disk', at: 1 },
    { probe: 'memory', ok: true, value: 0.25, detail: 'memory', at: 1 },
    { probe: 'load', ok: true, value: 0.75, detail: 'load', at: 1 },
    { probe: 'tcp:server', ok: false, error: 'ECONNREFUSED', detail: 'refused', at: 1 },
  ];
  const { agent } = await agentFor(t, server, { workDir: tempDir(t), listen: { host: '127.0.0.1', port: 0 } }, { runProbes: probes });
  const port = agent.http?.port ?? 0;

  let text = await pollUntil(async () => {
    const m = await metricsText(port);
    return series(m, 'pitcrew_runner_state{state="online"}') === 1 ? m : undefined;
  }, 'the online state in /metrics');
  assert.equal(series(text, 'pitcrew_runner_up'), 1);
  assert.equal(series(text, 'pitcrew_runner_disk_free_ratio'), 0.5);
  assert.equal(series(text, 'pitcrew_runner_disk_free_bytes'), 5e9);
  assert.equal(series(text, 'pitcrew_runner_memory_available_ratio'), 0.25);
  assert.equal(series(text, 'pitcrew_runner_load_per_core'), 0.75);
  assert.ok((series(text, 'pitcrew_runner_probe_failures_total{probe="tcp"}') ?? 0) >= 1);
  assert.equal(series(text, 'pitcrew_runner_probe_failures_total{probe="disk"}'), 0);
  assert.ok((series(text, 'pitcrew_agent_last_heartbeat_timestamp_seconds') ?? 0) > 1e9);
  assert.equal(series(text, 'pitcrew_runner_jobs_total{result="success"}'), 0);
  assert.match(text, /^pitcrew_runner_job_duration_seconds_bucket\{le="600"\} 0$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);

  freeRatio = 0.03;
  server.verdict = { state: 'degraded', reasons: ['disk free 3% < 10% on /w'] };
  text = await pollUntil(async () => {
    const m = await metricsText(port);
    return series(m, 'pitcrew_runner_disk_free_ratio') === 0.03 && series(m, 'pitcrew_runner_state{state="degraded"}') === 1 ? m : undefined;
  }, 'the new disk figure and the degraded state');
  assert.equal(series(text, 'pitcrew_runner_state{state="online"}'), 0);
});

test('a hook report reaches the agent, shows in the next heartbeat and goes out as a job frame', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const { agent } = await agentFor(t, server, { workDir: tempDir(t), listen: { host: '127.0.0.1', port: 0 } });
  const base = `http://127.0.0.1:${agent.http?.port}`;
  await pollUntil(() => server.ofType('heartbeat').length > 0, 'a first heartbeat');

  const started = await fetch(`${base}/hooks/job-started`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'deploy', runId: '42', workflow: 'Release', repository: 'acme/shop', environment: 'production' }),
  });
  assert.equal(started.status, 202);
  const beat = await pollUntil(() => server.ofType('heartbeat').find((f) => (f.frame.job as Frame | null)?.name === 'deploy'), 'a heartbeat carrying the job');
  assert.deepEqual(Object.keys(beat.frame.job as Frame).sort(), ['name', 'repository', 'runId', 'startedAt', 'workflow']);
  const jobFrame = server.ofType('job')[0].frame;
  assert.equal(jobFrame.event, 'started');
  assert.equal((jobFrame.job as Frame).runId, '42');
  assert.equal(typeof jobFrame.at, 'number');

  const done = await fetch(`${base}/hooks/job-completed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'deploy', result: 'succeeded' }) });
  assert.equal(done.status, 202);
  const completed = await pollUntil(() => server.ofType('job').find((f) => f.frame.event === 'completed'), 'the completed job frame');
  assert.equal(completed.frame.result, 'succeeded');
  assert.equal((completed.frame.job as Frame).workflow, 'Release');
  const after = server.frames.length;
  await pollUntil(() => server.frames.slice(after).find((f) => f.frame.type === 'heartbeat' && f.frame.job === null), 'a heartbeat with no job');
  const status = (await (await fetch(`${base}/status`)).json()) as AgentStatus;
  assert.equal(status.job, null);
  assert.equal(status.jobSource, 'hooks');
  assert.equal(series(await metricsText(agent.http?.port ?? 0), 'pitcrew_runner_jobs_total{result="success"}'), 1);
});

test('job frames written while disconnected are sent once the stream is back', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const { agent } = await agentFor(t, server, { workDir: tempDir(t) });
  await pollUntil(() => server.ofType('heartbeat').length > 0, 'a first heartbeat');
  await server.stop();
  await pollUntil(() => !agent.status().connected, 'the disconnect');
  agent.reportJob('started', { name: 'build' });
  await server.restart();
  const frame = await pollUntil(() => server.ofType('job')[0], 'the queued job frame');
  assert.equal((frame.frame.job as Frame).name, 'build');
  const hello = server.ofType('hello').find((f) => f.conn === frame.conn);
  assert.ok(hello && server.frames.indexOf(hello) < server.frames.indexOf(frame), 'hello comes first on the new connection');
});

test('follows the runner diag log for job activity when no hook reports', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const diag = tempDir(t, 'pitcrew-diag-');
  const log = join(diag, 'Runner_20240501-095959-utc.log');
  writeFileSync(log, '[2024-05-01 10:00:00Z INFO Terminal] WRITE LINE: 2024-05-01 10:00:00Z: Running job: integration\n');
  const { agent } = await agentFor(t, server, { workDir: tempDir(t), diagDir: diag, diagPollMs: 20, diagFromStart: true });
  const startedFrame = await pollUntil(() => server.ofType('job')[0], 'a job frame from the diag log');
  assert.equal(startedFrame.frame.event, 'started');
  assert.equal((startedFrame.frame.job as Frame).name, 'integration');
  assert.equal(agent.status().jobSource, 'diag-log');
  await pollUntil(() => server.ofType('heartbeat').find((f) => (f.frame.job as Frame | null)?.name === 'integration'), 'the job in a heartbeat');

  appendFileSync(log, '[2024-05-01 10:03:00Z INFO JobDispatcher] finish job request for job 7a5c with result: Canceled\n');
  const completed = await pollUntil(() => server.ofType('job').find((f) => f.frame.event === 'completed'), 'the completion');
  assert.equal(completed.frame.result, 'cancelled');
  assert.equal((completed.frame.job as Frame).jobId, '7a5c');
  assert.equal((completed.frame.job as Frame).name, 'integration');
});

test('refuses hook reports from callers that are not on loopback', async () => {
  let hooks = 0;
  const status: AgentStatus = { runner: 'r1', state: null, reasons: [], connected: false, lastAckAt: null, job: null, environments: null, jobSource: 'none', probes: [] };
  const handle = createAgentApp({ status: () => status, metrics: async () => ({ body: '', contentType: 'text/plain' }), hook: () => void hooks++ });
  const post = (remoteAddress: string, body = '{"name":"x"}') => handle({ method: 'POST', path: '/hooks/job-started', remoteAddress, body: async () => Buffer.from(body) });
  const refused = await post('10.0.0.7');
  assert.equal(refused.status, 403);
  assert.match((JSON.parse(refused.body) as { error: string }).error, /loopback callers only, not 10\.0\.0\.7/);
  assert.equal(hooks, 0);
  assert.equal((await post('::ffff:127.0.0.1')).status, 202);
  assert.equal((await post('::1')).status, 202);
  assert.equal(hooks, 2);
  assert.equal((await post('127.0.0.1', 'not json')).status, 400);
  assert.equal((await post('127.0.0.1', '[1]')).status, 400);
  assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '10.0.0.1', '::ffff:10.0.0.1', '', '1127.0.0.1'].map(isLoopback), [true, true, true, true, false, false, false, false]);
});

test('answers unknown routes and methods with 404, and a hook report over 64 KiB with 413 over a real socket', async (t) => {
  let hooks = 0;
  const status: AgentStatus = { runner: 'r1', state: null, reasons: [], connected: false, lastAckAt: null, job: null, environments: null, jobSource: 'none', probes: [] };
  const handle = createAgentApp({ status: () => status, metrics: async () => ({ body: 'm 1\n', contentType: 'text/plain' }), hook: () => void hooks++ });
  for (const [method, path] of [['GET', '/hooks/job-started'], ['POST', '/status'], ['GET', '/constructor'], ['DELETE', '/metrics']]) {
    const res = await handle({ method, path, remoteAddress: '127.0.0.1', body: async () => Buffer.alloc(0) });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.match(res.body, /try GET \/metrics, GET \/status/);
  }
  const http = await serveHttp(handle, { host: '127.0.0.1', port: 0 });
  t.after(() => http.close());
  const base = `http://127.0.0.1:${http.address.port}`;
  const big = await fetch(`${base}/hooks/job-started`, { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(70 * 1024) }) });
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as { error: string }).error, /larger than 64 KiB/);
  assert.equal(hooks, 0);
  const ok = await fetch(`${base}/hooks/job-completed?from=hook`, { method: 'POST', body: JSON.stringify({ name: 'x', result: 'succeeded' }) });
  assert.equal(ok.status, 202);
  assert.equal(hooks, 1);
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.headers.get('content-type'), 'text/plain');
  assert.equal(await metrics.text(), 'm 1\n');
  assert.equal((await fetch(`${base}/status`, { method: 'HEAD' })).status, 200);
});

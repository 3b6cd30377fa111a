import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { missingRows, snapshotTables } from '../support/sqlite-snapshot.js';
import { fuzzFrames, fuzzRequests, type FuzzRequest } from './fuzz-requests.js';
import { startTestServer, testConfigYaml, TOKENS, type TestServer } from './harness.js';

const REQUESTS = 10_000;
const FRAMES = 2_000;
const CONCURRENCY = 16;
/** Bounds the whole run; the requests normally take a small part of it. */
const DEADLINE_MS = 240_000;
const SEED = 20261130;

async function seed(t: TestServer): Promise<void> {
  const now = Date.now();
  await t.store.enqueueLock('staging', { ownerToken: 'seeded-owner', runner: 'stager', description: 'seeded deploy', ttlMs: 3600_000 }, now, 3600_000);
  const grant = await t.store.pollLock('staging', 'seeded-owner', now, 3600_000);
  assert.equal(grant.status, 'granted');
  const fencingToken = grant.status === 'granted' ? grant.fencingToken : 0;
  await t.store.createDeployment({ id: 'seeded-dep', environment: 'staging', version: 'v1', digest: 'sha256:00', runner: 'stager', actor: 'seed', state: 'running', startedAt: now, fencingToken });
  await t.store.appendJournal({ deploymentId: 'seeded-dep', step: 'upload', target: null, phase: 'done', detail: 'seeded', fencingToken, at: now });
  await t.store.recordHeartbeat('stager', now, heartbeat());
}

interface Outcome {
  request: FuzzRequest;
  status?: number;
  json?: boolean;
  error?: string;
}

async function send(url: string, r: FuzzRequest): Promise<Outcome> {
  try {
    const res = await fetch(url + r.path, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    let json = false;
    try {
      JSON.parse(text);
      json = /^application\/json/.test(res.headers.get('content-type') ?? '');
    } catch {
      json = false;
    }
    return { request: r, status: res.status, json };
  } catch (err) {
    return { request: r, error: err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err) };
  }
}

function describe(o: Outcome): string {
  const body = o.request.body ? o.request.body.subarray(0, 200).toString('utf8') : '';
  return `${o.request.method} ${o.request.path.slice(0, 200)} -> ${o.status ?? o.error} (json: ${o.json}) body: ${body}`;
}

test('10,000 random and mutated requests: every answer is JSON under 500, the server still serves and the seeded rows are unchanged', async () => {
  // A long heartbeat timeout keeps the silence timer and the environment watch from writing while the fuzz runs.
  const t = await startTestServer({ yaml: testConfigYaml('60s') });
  try {
    await seed(t);
    await t.server.fleet.flush();
    const before = snapshotTables(t.dbFile);

    // The fuzz's own agent: its runner's rows may change (its heartbeats are real), nothing else may.
    const agent = await TestAgent.connect(t.url, 'secondary', TOKENS.agent);
    const frames = fuzzFrames(FRAMES, SEED + 1);
    const requests = fuzzRequests(REQUESTS, SEED);
    const outcomes: Outcome[] = [];
    const deadline = Date.now() + DEADLINE_MS;
    let next = 0;
    const worker = async () => {
      while (next < requests.length && Date.now() < deadline) {
        const i = next++;
        if (i < frames.length) agent.sendRaw(frames[i]);
        outcomes.push(await send(t.url, requests[i]));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.equal(outcomes.length, REQUESTS, `only ${outcomes.length} requests were sent within ${DEADLINE_MS} ms`);

    const failed = outcomes.filter((o) => (o.error !== undefined ? !o.request.oversized : (o.status ?? 500) >= 500 || !o.json));
    assert.deepEqual(failed.slice(0, 10).map(describe), [], `${failed.length} of ${REQUESTS} answers were 5xx, not JSON or no answer`);
    const statuses = new Map<number, number>();
    for (const o of outcomes) if (o.status !== undefined) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    // The mix reached the routes: some requests were let in, some refused for each reason.
    for (const status of [200, 400, 401, 403, 404, 413]) assert.ok((statuses.get(status) ?? 0) > 0, `no answer was ${status}: ${JSON.stringify([...statuses])}`);

    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    const ack = await agent.heartbeat(heartbeat());
    assert.equal(ack.type, 'ack');
    const valid = await fetch(`${t.url}/api/v1/environments/staging/lock`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    assert.equal(valid.status, 200);
    assert.equal(((await valid.json()) as { holder: { runner: string } }).holder.runner, 'stager');
    await agent.close();

    await t.server.fleet.flush();
    const agentsRow = (table: string, row: Record<string, unknown>) => !(['runners', 'heartbeats', 'runner_state_history'].includes(table) && (row.name ?? row.runner) === 'secondary');
    assert.deepEqual(missingRows(before, snapshotTables(t.dbFile), agentsRow), []);
  } finally {
    await t.dispose();
  }
});

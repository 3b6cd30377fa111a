import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { readEventFile } from '../../src/agent/hook-job.js';
import { FakeServer } from '../support/fake-server.js';
import { pollUntil } from './poll.js';
import { agentFor, tempDir } from './agent-helpers.js';

type After = Parameters<typeof tempDir>[0];

function githubEnv(t: After, extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir(t, 'pitcrew-event-');
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ repository: { full_name: 'acme/from-event' }, sender: { login: 'octocat' } }));
  return { GITHUB_JOB: 'deploy', GITHUB_RUN_ID: '1234', GITHUB_RUN_ATTEMPT: '2', GITHUB_WORKFLOW: 'Release', GITHUB_EVENT_PATH: eventPath, ...extra };
}

async function hook(args: string[], env: Record<string, string>) {
  const io = memoryIo();
  const code = await main(['hook', ...args], env, io);
  return { code, err: io.err(), out: io.out() };
}

/** An agent with HTTP on a free loopback port, against a fake server answering with `verdict`. */
async function liveAgent(t: After, setup: (s: FakeServer) => void = () => undefined) {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  setup(server);
  const { agent } = await agentFor(t, server, { workDir: tempDir(t), listen: { host: '127.0.0.1', port: 0 } });
  await pollUntil(() => agent.status().state !== null, 'a first ack');
  return { server, agent, url: `http://127.0.0.1:${agent.http?.port}` };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('job-started and job-completed report the job from GITHUB_* variables and the event file', async (t) => {
  const { agent, server, url } = await liveAgent(t);
  const started = await hook(['job-started', '--agent', url], githubEnv(t));
  assert.equal(started.code, 0, started.err);
  assert.deepEqual(agent.status().job && { ...agent.status().job, startedAt: 0 }, {
    name: 'deploy',
    runId: '1234',
    runAttempt: '2',
    workflow: 'Release',
    repository: 'acme/from-event',
    startedAt: 0,
  });
  await pollUntil(() => server.ofType('job').find((f) => f.frame.event === 'started'), 'the started job frame');
  const completed = await hook(['job-completed', '--result', 'failed'], githubEnv(t, { PITCREW_AGENT_URL: url }));
  assert.equal(completed.code, 0, completed.err);
  assert.equal(agent.status().job, null);
  const frame = await pollUntil(() => server.ofType('job').find((f) => f.frame.event === 'completed'), 'the completed job frame');
  assert.equal(frame.frame.result, 'failed');
  assert.equal(started.err + completed.err, '');
});

test('fails open with one warning line when nothing listens at the agent address', async (t) => {
  const port = await freePort();
  for (const args of [['job-started'], ['job-started', '--guard'], ['job-completed']]) {
    const r = await hook([...args, '--agent', `http://127.0.0.1:${port}`], githubEnv(t));
    assert.equal(r.code, 0);
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
    assert.match(r.err, new RegExp(`^pitcrew: warning: agent at http://127\\.0\\.0\\.1:${port} not reachable \\(ECONNREFUSED\\); job deploy not reported`));
  }
});

test('fails open when the agent accepts the connection but does not answer within 2 s', async (t) => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const r = await hook(['job-started', '--guard', '--agent', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`], githubEnv(t));
  assert.equal(r.code, 0);
  assert.match(r.err, /not reachable \(no answer within 2000 ms\); job deploy not reported and not guarded, continuing\n$/);
});

test('--guard refuses the job with one line when the runner is degraded', async (t) => {
  const { agent, url } = await liveAgent(t, (s) => {
    s.verdict = { state: 'degraded', reasons: ['disk free 3% < 10%'] };
  });
  await pollUntil(() => agent.status().state === 'degraded', 'the degraded verdict');
  const r = await hook(['job-started', '--guard', '--agent', url], githubEnv(t));
  assert.equal(r.code, 1);
  assert.equal(r.err, 'pitcrew: refusing job deploy: runner r1 is degraded (disk free 3% < 10%)\n');
  assert.equal(agent.status().job, null, 'a refused job is not reported as started');
});

test('--guard refuses a job for an environment the runner is not authorized for', async (t) => {
  const { url } = await liveAgent(t, (s) => {
    s.welcome = { probeTargets: [], thresholds: {}, environments: ['staging'] };
  });
  const byFlag = await hook(['job-started', '--guard', '--agent', url, '--environment', 'production'], githubEnv(t));
  assert.equal(byFlag.code, 1);
  assert.equal(byFlag.err, 'pitcrew: refusing job deploy: runner r1 is not authorized for environment production\n');
  const byEnv = await hook(['job-started', '--guard', '--agent', url], githubEnv(t, { PITCREW_ENVIRONMENT: 'production' }));
  assert.equal(byEnv.code, 1);
  assert.equal(byEnv.err, byFlag.err);
});

test('--guard lets the job run when the runner is online and authorized, or the environment is unknown', async (t) => {
  const { agent, url } = await liveAgent(t, (s) => {
    s.welcome = { probeTargets: [], thresholds: {}, environments: ['production'] };
  });
  await pollUntil(() => agent.status().environments?.length === 1, 'the welcome');
  const authorized = await hook(['job-started', '--guard', '--agent', url, '--environment', 'production'], githubEnv(t));
  assert.equal(authorized.code, 0, authorized.err);
  assert.equal(authorized.err, '');
  assert.equal(agent.status().job?.name, 'deploy');
  const unknownEnv = await hook(['job-started', '--guard', '--agent', url], githubEnv(t, { GITHUB_JOB: 'build' }));
  assert.equal(unknownEnv.code, 0, unknownEnv.err);
  assert.equal(agent.status().job?.name, 'build');
});

test('reads the event file defensively: missing, malformed or oversized files give no fields', async (t) => {
  const dir = tempDir(t);
  const big = join(dir, 'big.json');
  writeFileSync(big, JSON.stringify({ repository: { full_name: 'a/b' }, pad: 'x'.repeat(2048) }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"repository":');
  assert.equal(await readEventFile(join(dir, 'missing.json')), undefined);
  assert.equal(await readEventFile(bad), undefined);
  assert.equal(await readEventFile(big, 1024), undefined);
  assert.deepEqual(await readEventFile(big), { repository: 'a/b' });
});

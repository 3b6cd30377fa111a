import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../../src/agent/agent.js';
import { pollUntil } from '../agent/poll.js';
import { TOKENS, startTestServer } from '../server/harness.js';
import { doctor, tempDir } from './helpers.js';

test('sees a live agent and a fresh heartbeat, then names the killed agent as unreachable with the runner-offline runbook', async (t) => {
  const dir = tempDir(t);
  const server = await startTestServer();
  t.after(() => server.dispose());
  const agent = await startAgent(
    { server: server.url, token: TOKENS.agent, runner: 'primary', workDir: dir, intervalMs: 50, listen: { host: '127.0.0.1', port: 0 }, backoff: { initialMs: 20, maxMs: 100, resetAfterMs: 30_000 } },
    { log: () => undefined },
  );
  let stopped = false;
  t.after(() => (stopped ? undefined : agent.stop()));
  const agentUrl = `http://127.0.0.1:${agent.http?.port}`;
  await pollUntil(async () => (await server.request('/api/v1/runners/primary')).json.runner?.lastHeartbeatAt ?? undefined, 'a heartbeat at the server');
  const args = ['--server', server.url, '--token', TOKENS.viewer, '--runner', 'primary', '--agent', agentUrl, '--work-dir', dir];

  const healthy = await doctor(args, {}, dir);
  assert.equal(healthy.report.mode, 'runner-host');
  assert.equal(healthy.check('agent.reachable').status, 'pass');
  assert.equal(healthy.check('agent.heartbeat').status, 'pass', healthy.check('agent.heartbeat').evidence.join('\n'));

  await agent.stop();
  stopped = true;
  const sick = await doctor(args, {}, dir);
  const reach = sick.check('agent.reachable');
  assert.equal(reach.status, 'fail');
  assert.match(reach.evidence[0], new RegExp(`${agentUrl}/status`));
  assert.equal(reach.runbook, 'docs/runbooks/runner-offline.md');
  assert.equal(sick.check('runner.state').status, 'fail');
  assert.equal(sick.code, 1);
});

test('from anywhere with a token it says server view only and reports the server\'s verdict', async (t) => {
  const dir = tempDir(t);
  const server = await startTestServer();
  t.after(() => server.dispose());
  const run = await doctor(['--server', server.url, '--token', TOKENS.viewer, '--runner', 'secondary'], { PITCREW_AGENT_URL: 'http://127.0.0.1:1' }, dir);
  assert.equal(run.report.mode, 'server-view');
  assert.match(run.out.split('\n')[0], /server view only/);
  assert.equal(run.check('agent.reachable').status, 'skip');
  const state = run.check('runner.state');
  assert.equal(state.status, 'fail');
  assert.match(state.evidence[0], /^state offline/);
});

test('a refused server token fails with the secrets runbook', async (t) => {
  const dir = tempDir(t);
  const server = await startTestServer();
  t.after(() => server.dispose());
  const run = await doctor(['--server', server.url, '--token', 'rotated-away', '--runner', 'primary'], { PITCREW_AGENT_URL: 'http://127.0.0.1:1' }, dir);
  const state = run.check('runner.state');
  assert.equal(state.status, 'fail');
  assert.equal(state.runbook, 'docs/runbooks/secrets-expired.md');
  assert.doesNotMatch(run.out, /rotated-away/);
});

test('an open Running job line is not a failure while the agent reports the runner running a job', async (t) => {
  const dir = tempDir(t);
  const diag = join(dir, '_diag');
  mkdirSync(diag);
  writeFileSync(join(diag, 'Runner_20261126-100000-utc.log'), '[2026-11-26 10:01:00Z INFO JobDispatcher] Running job: Deploy to production\n');
  const server = await startTestServer();
  t.after(() => server.dispose());
  const agent = await startAgent(
    { server: server.url, token: TOKENS.agent, runner: 'primary', workDir: dir, intervalMs: 50, listen: { host: '127.0.0.1', port: 0 } },
    { log: () => undefined },
  );
  t.after(() => agent.stop());
  const args = ['--runner', 'primary', '--agent', `http://127.0.0.1:${agent.http?.port}`, '--diag-dir', diag];

  const idle = await doctor(args, {}, dir);
  assert.equal(idle.check('jobs.unfinished').status, 'fail');

  agent.reportJob('started', { name: 'deploy' });
  const busy = await doctor(args, {}, dir);
  const check = busy.check('jobs.unfinished');
  assert.equal(check.status, 'pass');
  assert.match(check.evidence.join('\n'), /running job deploy now/);
});

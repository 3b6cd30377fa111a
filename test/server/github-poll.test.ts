import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { createGithubPoll, nextPollDelay, RATE_LIMIT_RESERVE } from '../../src/server/github-poll.js';
import type { GithubRunnerStatus } from '../../src/server/fleet-monitor.js';
import { pollUntil } from '../agent/poll.js';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { startFakeGitHub } from '../support/fake-github.js';
import { startTestServer, testConfigYaml, TOKENS } from './harness.js';

const NOW = 1_700_000_000_000;

test('polls at the interval while the rate limit lasts, slower when it would run out before the reset', () => {
  assert.equal(nextPollDelay(60_000, {}, NOW), 60_000, 'no rate limit known (GHES without limits)');
  assert.equal(nextPollDelay(60_000, { remaining: 4000, resetAt: NOW + 3_600_000 }, NOW), 60_000);
  // 3600 s left and 60 requests to spend (the reserve kept back): one poll a minute, not every 10 s.
  assert.equal(nextPollDelay(10_000, { remaining: RATE_LIMIT_RESERVE + 60, resetAt: NOW + 3_600_000 }, NOW), 60_000);
  assert.equal(nextPollDelay(10_000, { remaining: RATE_LIMIT_RESERVE, resetAt: NOW + 600_000 }, NOW), 601_000, 'only the reserve left: wait for the reset');
  assert.equal(nextPollDelay(10_000, { remaining: 0, resetAt: NOW - 5000 }, NOW), 10_000, 'a reset in the past waits the interval');
});

test('a failed poll is logged and retried later; a rate-limited one waits for the reset', async () => {
  const fake = await startFakeGitHub({ rateLimit: { remaining: 0, resetSec: Math.floor(NOW / 1000) + 120 } });
  try {
    fake.expect('GET', '/repos/o/r/actions/runners');
    const github = createGitHubClient({ token: 't', owner: 'o', repo: 'r', apiUrl: fake.url });
    const logs: string[] = [];
    const poll = createGithubPoll({ github, fleet: { noteGithubRunners: () => assert.fail('nothing to note') }, intervalMs: 1000, now: () => NOW, log: (m) => logs.push(m) });
    assert.equal(await poll.pollOnce(), 121_000);
    assert.deepEqual(logs, ['polling GitHub runners failed']);
    assert.match(poll.status().lastError ?? '', /rate limit exhausted/);
    fake.assertDone();
  } finally {
    await fake.close();
  }
});

test('a second poll of an unchanged list is a 304, and each poll tells the fleet what GitHub says of every runner', async () => {
  const fake = await startFakeGitHub();
  try {
    fake.addRunner({ name: 'primary' });
    fake.expect('GET', '/repos/o/r/actions/runners', undefined, { times: 2 });
    const github = createGitHubClient({ token: 't', owner: 'o', repo: 'r', apiUrl: fake.url });
    const noted: Map<string, GithubRunnerStatus>[] = [];
    const poll = createGithubPoll({ github, fleet: { noteGithubRunners: (m) => noted.push(new Map(m)) }, intervalMs: 1000, now: () => Date.now(), log: () => undefined });
    await poll.pollOnce();
    await poll.pollOnce();
    assert.deepEqual(fake.calls.map((c) => c.status), [200, 304]);
    assert.equal(poll.status().lastChanged, false);
    assert.deepEqual(noted.map((m) => [...m]), [[['primary', 'online']], [['primary', 'online']]]);
    fake.assertDone();
  } finally {
    await fake.close();
  }
});

test('a runner GitHub lists offline is degraded with that reason, and online again once GitHub lists it online', async () => {
  const fake = await startFakeGitHub();
  fake.addRunner({ name: 'primary' });
  fake.addRunner({ name: 'secondary' });
  fake.addRunner({ name: 'stager' });
  fake.allow('GET', '/repos/o/r/actions/runners', { min: 2 });
  const github = createGitHubClient({ token: 't', owner: 'o', repo: 'r', apiUrl: fake.url });
  const yaml = `${testConfigYaml()}github: { owner: o, repo: r, pollInterval: 100ms }\n`;
  const t = await startTestServer({ yaml, github });
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    agent.pump(() => heartbeat());
    await pollUntil(() => (t.server.fleet.view('primary')?.state === 'online' ? true : undefined), 'primary online');
    fake.setRunnerStatus('primary', 'offline');
    await pollUntil(() => (t.server.fleet.view('primary')?.state === 'degraded' ? true : undefined), 'primary degraded', 10_000);
    assert.deepEqual(t.server.fleet.view('primary')?.reasons, ['probe github failed: GitHub lists runner primary as offline in its runners list']);
    fake.setRunnerStatus('primary', 'online');
    await pollUntil(() => (t.server.fleet.view('primary')?.state === 'online' ? true : undefined), 'primary online again', 10_000);
    fake.assertDone();
  } finally {
    await agent.close();
    await t.dispose();
    await fake.close();
  }
});

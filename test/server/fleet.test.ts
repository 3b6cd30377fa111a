import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../agent/poll.js';
import { disk, heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { startTestServer, TOKENS, type TestServer } from './harness.js';

async function stateOf(t: TestServer, runner: string): Promise<{ state: string; reasons: string[] }> {
  const res = await t.request(`/api/v1/runners/${runner}`, { token: 'viewer' });
  assert.equal(res.status, 200);
  return res.json.runner;
}

async function waitForState(t: TestServer, runner: string, state: string, deadlineMs = 5000) {
  return pollUntil(async () => {
    const s = await stateOf(t, runner);
    return s.state === state ? s : undefined;
  }, `${runner} to be ${state}`, deadlineMs);
}

async function selected(t: TestServer, env = 'production') {
  const res = await t.request(`/api/v1/select?env=${env}`, { token: 'viewer' });
  assert.equal(res.status, 200);
  return res.json;
}

test('an agent gets a welcome with its probe targets and thresholds, and heartbeats bring its runner online', async () => {
  const t = await startTestServer();
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    const welcome = await agent.next((f) => f.type === 'welcome');
    assert.deepEqual(welcome.probeTargets, [
      { name: '127.0.0.2:22', host: '127.0.0.2', port: 22 },
      { name: 'server', host: '127.0.0.1', port: 8080 },
    ]);
    assert.equal((welcome.thresholds as { heartbeatTimeoutMs: number }).heartbeatTimeoutMs, 600);
    agent.hello();
    const first = await agent.heartbeat(heartbeat());
    assert.equal(first.state, 'degraded');
    assert.match(String((first.reasons as string[])[0]), /back from offline: 1 of 3/);
    await agent.heartbeat(heartbeat());
    const third = await agent.heartbeat(heartbeat());
    assert.equal(third.state, 'online');
    const view = await stateOf(t, 'primary');
    assert.equal(view.state, 'online');
    await t.server.fleet.flush();
    assert.equal((await t.store.getRunner('primary'))?.state, 'online');
  } finally {
    await agent.close();
    await t.dispose();
  }
});

test('a runner whose heartbeats stop goes offline after its heartbeat timeout', async () => {
  const t = await startTestServer();
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    agent.pump(() => heartbeat());
    await waitForState(t, 'primary', 'online');
    agent.stopPump();
    const off = await waitForState(t, 'primary', 'offline');
    assert.match(off.reasons[0], /^no heartbeat for [\d.]+ s \(timeout 0\.6 s\)$/);
  } finally {
    await agent.close();
    await t.dispose();
  }
});

test('a runner goes offline at once when its agent connection closes, and the store records the change', async () => {
  const t = await startTestServer();
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    agent.pump(() => heartbeat());
    await waitForState(t, 'primary', 'online');
    await agent.close();
    const off = await waitForState(t, 'primary', 'offline', 1000);
    assert.deepEqual(off.reasons, ['agent connection closed']);
    await t.server.fleet.flush();
    const history = await t.store.runnerStateHistory('primary', 0);
    assert.deepEqual(history.at(-1)?.to, 'offline');
    assert.deepEqual(history.at(-1)?.reasons, ['agent connection closed']);
  } finally {
    await t.dispose();
  }
});

test('a runner low on disk turns degraded with the reason and is passed over by selection', async () => {
  const t = await startTestServer();
  const primary = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  const secondary = await TestAgent.connect(t.url, 'secondary', TOKENS.agent);
  try {
    let lowDisk = false;
    primary.pump(() => (lowDisk ? heartbeat(disk(0.03)) : heartbeat()));
    secondary.pump(() => heartbeat());
    await waitForState(t, 'primary', 'online');
    await waitForState(t, 'secondary', 'online');
    assert.equal((await selected(t)).runner, 'primary');
    lowDisk = true;
    const degraded = await waitForState(t, 'primary', 'degraded');
    assert.match(degraded.reasons.join('\n'), /disk free 3(\.0)?% < 10% on \/home\/runner\/_work/);
    const sel = await selected(t);
    assert.equal(sel.runner, 'secondary');
    const passed = sel.considered.find((c: { name: string }) => c.name === 'primary');
    assert.equal(passed.verdict, 'passed-over');
    assert.match(passed.why, /^degraded: .*disk free/);
  } finally {
    await primary.close();
    await secondary.close();
    await t.dispose();
  }
});

test('selection fails over to the secondary while the primary is offline and returns to it once it is online again', async () => {
  const t = await startTestServer();
  const secondary = await TestAgent.connect(t.url, 'secondary', TOKENS.agent);
  let primary = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    primary.pump(() => heartbeat());
    secondary.pump(() => heartbeat());
    await waitForState(t, 'primary', 'online');
    await waitForState(t, 'secondary', 'online');
    assert.equal((await selected(t)).runner, 'primary');

    await primary.close();
    await waitForState(t, 'primary', 'offline');
    const failover = await selected(t);
    assert.equal(failover.runner, 'secondary');
    assert.match(failover.considered[0].why, /^offline: agent connection closed/);

    primary = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    const first = await primary.heartbeat(heartbeat());
    assert.equal(first.state, 'degraded', 'back from offline goes through degraded (hysteresis)');
    assert.equal((await selected(t)).runner, 'secondary');
    primary.pump(() => heartbeat());
    await waitForState(t, 'primary', 'online');
    assert.equal((await selected(t)).runner, 'primary');
  } finally {
    await primary.close();
    await secondary.close();
    await t.dispose();
  }
});

test('a second connection for a runner replaces the first, which is closed with 4000', async () => {
  const t = await startTestServer();
  const first = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    const second = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    const closed = await first.closed;
    assert.equal(closed.code, 4000);
    const ack = await second.heartbeat(heartbeat());
    assert.equal(ack.state, 'degraded');
    assert.equal((await stateOf(t, 'primary')).state, 'degraded', 'the old connection closing does not make the runner offline');
    await second.close();
  } finally {
    await first.close();
    await t.dispose();
  }
});

test('a malformed frame is answered with an error naming the field, and the connection stays usable', async () => {
  const t = await startTestServer();
  const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
  try {
    agent.send({ type: 'heartbeat', seq: 'one', sentAt: 1, probes: [] });
    const err = await agent.next((f) => f.type === 'error');
    assert.match(String(err.message), /^heartbeat frame: seq: /);
    agent.send({ type: 'future-frame', x: 1 });
    const ack = await agent.heartbeat(heartbeat());
    assert.equal(ack.type, 'ack');
    assert.equal(agent.frames.filter((f) => f.type === 'error').length, 1, 'unknown types are ignored');
  } finally {
    await agent.close();
    await t.dispose();
  }
});

/**
 * Scenario 8: recovery: a runner that comes back is online again and takes work.
 *
 * Real server and agent processes. The primary's agent is SIGKILLed (no
 * goodbye on the stream, as when a host loses power or the agent crashes);
 * the server must rate the primary offline and route to the secondary. The
 * agent is then started again: the primary passes through the hysteresis
 * (degraded, "back from offline") to online, and selection picks it again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, scenarioScope } from './support/index.js';

interface Transition {
  from: string;
  to: string;
  reasons: string[];
  at: number;
}

test('a runner whose agent dies is offline and passed over, and once its agent is back it is online again and selected', { timeout: 180_000 }, async (t) => {
  const scope = scenarioScope(t);
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }] });
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  await fleet.waitForState('primary', 'online');
  await fleet.waitForState('secondary', 'online');
  const before = await fleet.cli(['select', '--env', 'production']);
  assert.deepEqual([before.code, before.stdout], [0, 'primary\n'], before.stderr);

  // The primary's agent dies without a word.
  const killedAt = Date.now();
  const exit = await fleet.agents.get('primary')!.stop('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  const offline = await fleet.waitForState('primary', 'offline', { deadlineMs: 15_000 });
  assert.equal(offline.connected, false);
  assert.deepEqual(offline.reasons, ['agent connection closed'], 'the server hears the dead agent at once, not after the heartbeat timeout');
  const failover = await fleet.cli(['select', '--env', 'production']);
  assert.deepEqual([failover.code, failover.stdout], [0, 'secondary\n'], failover.stderr);
  const table = await fleet.cli(['runners']);
  assert.match(table.stdout, /\nprimary\s+offline\s+1\s/, table.stdout);

  // The agent comes back (same runner, same work directory, same port).
  const restartedAt = Date.now();
  await fleet.startAgent('primary');
  await fleet.waitForState('primary', 'online');
  const after = await fleet.cli(['select', '--env', 'production']);
  assert.deepEqual([after.code, after.stdout], [0, 'primary\n'], after.stderr);
  const json = JSON.parse((await fleet.cli(['--json', 'select', '--env', 'production'])).stdout) as { considered: Array<{ name: string; verdict: string }> };
  assert.deepEqual(json.considered.map((c) => [c.name, c.verdict]), [['primary', 'chosen'], ['secondary', 'standby']]);

  // It came back through the hysteresis, and the store kept every step: online -> offline -> degraded -> online.
  const { history } = await fleet.api<{ history: Transition[] }>('/api/v1/runners/primary');
  const sinceKill = history.filter((h) => h.at >= killedAt);
  assert.deepEqual(sinceKill.map((h) => `${h.from}->${h.to}`), ['online->offline', 'offline->degraded', 'degraded->online'], JSON.stringify(history));
  assert.match(sinceKill[1].reasons.join('; '), /back from offline: 1 of 3/);
  assert.ok(sinceKill[1].at >= restartedAt, 'the runner was not rated back before its agent was restarted');
  assert.deepEqual(fleet.leakedTokens(), [], 'no process printed a token');
});

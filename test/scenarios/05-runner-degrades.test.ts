/**
 * Scenario 5: a runner degrades (disk, memory, load): it is detected, shown
 * with its reason, and passed over.
 *
 * Real server and agent processes; the primary degrades for real: its
 * configured `diskFreeMinBytes` (1024 TiB) is more than any real filesystem
 * has free, so the figure its agent measures on its work directory crosses it
 * on every heartbeat. Its other thresholds, and all of the secondary's, are
 * out of reach, so the disk is the one reason and the secondary stays healthy
 * whatever the CI machine's load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALM_THRESHOLDS, Fleet, scenarioScope, type RunnerView } from './support/index.js';

const DEGRADED_BY_DISK = { ...CALM_THRESHOLDS, diskFreeMinBytes: '1024TiB' };

test('a runner whose disk is below its threshold is degraded with the figure and threshold as its reason, and select passes over it', { timeout: 180_000 }, async (t) => {
  const scope = scenarioScope(t);
  const fleet = await Fleet.create(scope, {
    runners: [
      { name: 'primary', priority: 1, thresholds: DEGRADED_BY_DISK },
      { name: 'secondary', priority: 2 },
    ],
  });
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');

  // The secondary comes online through the hysteresis (3 healthy heartbeats); the primary never does.
  await fleet.waitForState('secondary', 'online');
  const primary = await fleet.waitForState('primary', 'degraded');
  const reason = new RegExp(`^disk free [\\d.]+ (B|KiB|MiB|GiB|TiB) < 1 PiB on ${escape(fleet.workDir('primary'))}$`);
  assert.equal(primary.reasons.length, 1, JSON.stringify(primary.reasons));
  assert.match(primary.reasons[0], reason);
  assert.equal(primary.connected, true, 'a degraded runner is still connected: it answers, it is not healthy');

  // The reason is what a human sees: in `pitcrew runners` ...
  const table = await fleet.cli(['runners']);
  assert.equal(table.code, 0, table.stderr);
  const primaryRow = table.stdout.split('\n').find((l) => l.startsWith('primary '));
  assert.ok(primaryRow, table.stdout);
  assert.match(primaryRow, /^primary\s+degraded\s+1\s/);
  assert.match(primaryRow, /disk free [\d.]+ \w+ < 1 PiB on /);
  assert.match(table.stdout, /\nsecondary\s+online\s+2\s/);

  // ... and in `pitcrew --json runners`, the API's answer.
  const json = await fleet.cli(['--json', 'runners']);
  assert.equal(json.code, 0, json.stderr);
  const listed = (JSON.parse(json.stdout) as { runners: RunnerView[] }).runners.find((r) => r.name === 'primary');
  assert.equal(listed?.state, 'degraded');
  assert.match(listed?.reasons[0] ?? '', reason);

  // Selection passes over the degraded primary despite its lower priority number, quoting why.
  const select = await fleet.cli(['select', '--env', 'production']);
  assert.equal(select.code, 0, select.stderr);
  assert.equal(select.stdout, 'secondary\n');
  const detail = await fleet.cli(['--json', 'select', '--env', 'production']);
  const answer = JSON.parse(detail.stdout) as { runner: string; considered: Array<{ name: string; verdict: string; why: string }> };
  assert.equal(answer.runner, 'secondary');
  const passedOver = answer.considered.find((c) => c.name === 'primary');
  assert.ok(passedOver && passedOver.verdict !== 'chosen', JSON.stringify(answer.considered));
  assert.match(passedOver.why, /degraded/);
  assert.match(passedOver.why, /disk free [\d.]+ \w+ < 1 PiB/);

  // The primary's own agent repeats the server's verdict in its metrics (what `hook --guard` acts on).
  const metrics = await fleet.agentMetrics('primary');
  assert.match(metrics, /^pitcrew_runner_state\{state="degraded"\} 1$/m);
  assert.match(metrics, /^pitcrew_runner_state\{state="online"\} 0$/m);
  const secondaryMetrics = await fleet.agentMetrics('secondary');
  assert.match(secondaryMetrics, /^pitcrew_runner_state\{state="online"\} 1$/m);

  assert.deepEqual(fleet.leakedTokens(), [], 'no process printed a token');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Scenario 2: the primary runner fails; the deploy goes to the secondary,
 * with no human involved.
 *
 * Real server and agents, a stand-in runner process per runner, three local
 * targets. The primary's agent and its runner process are SIGKILLed (the host
 * died); the server must rate it offline on its own, `pitcrew select` (as a
 * workflow step, with $GITHUB_OUTPUT) must route to the secondary, and the
 * deploy run there must put every target on the new release. Between the
 * kill and the deploy, nothing but what a workflow does runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployFleet, ENV, scenarioScope } from './support/index.js';

test('when the primary runner and its agent die, select routes to the secondary and the deploy from there succeeds', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'local' });
  const { fleet } = df;
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  await fleet.waitForState('primary', 'online');
  await fleet.waitForState('secondary', 'online');
  const before = await fleet.cli(['select', '--env', ENV]);
  assert.deepEqual([before.code, before.stdout], [0, 'primary\n'], before.stderr);
  const old = await df.deploy(await df.release('2.0.0'), { runner: 'primary' });
  assert.equal(old.code, 0, old.stdout + old.stderr);
  const [oldId] = await df.currents();

  // The primary's host dies: its runner process and its agent, without a word.
  assert.equal((await fleet.runners.get('primary')!.stop('SIGKILL')).signal, 'SIGKILL');
  assert.equal((await fleet.agents.get('primary')!.stop('SIGKILL')).signal, 'SIGKILL');
  const offline = await fleet.waitForState('primary', 'offline', { deadlineMs: 15_000 });
  assert.equal(offline.connected, false);

  // The workflow's routing step, as GitHub Actions runs it.
  const output = join(fleet.dir, 'github-output');
  const routed = await fleet.cli(['select', '--env', ENV], { GITHUB_OUTPUT: output });
  assert.deepEqual([routed.code, routed.stdout], [0, 'secondary\n'], routed.stderr);
  assert.equal(await readFile(output, 'utf8'), 'runner=secondary\n');
  const runner = /^runner=(.+)$/m.exec(await readFile(output, 'utf8'))![1];

  // The deploy job, on the runner the output names.
  const run = await df.deploy(await df.release('2.1.0'), { runner, json: true });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { result: string; releaseId: string; targets: Array<{ captured: string | null }> };
  assert.equal(report.result, 'succeeded');
  assert.deepEqual(report.targets.map((x) => x.captured), [oldId, oldId, oldId], 'the deploy started from the old release everywhere');
  assert.deepEqual(await df.currents(), [report.releaseId, report.releaseId, report.releaseId]);
  const [latest, previous] = await df.deployments();
  assert.deepEqual([latest.runner, latest.state], ['secondary', 'succeeded']);
  assert.deepEqual([previous.runner, previous.state], ['primary', 'succeeded']);
  assert.equal((await fleet.runner('primary')).state, 'offline', 'the primary is still offline: the deploy did not need it');
  assert.deepEqual(fleet.leakedTokens(), [], 'no process printed a token');
});

/**
 * Scenario 6: automatic failover of an in-flight deploy job when its runner
 * dies.
 *
 * Real `pitcrew server` and two real agents (primary, secondary) over one
 * SQLite store, GitHub played by the fail-closed fake REST API, three local
 * targets on 1.0.0. The deploy job of 2.0.0 runs on the primary
 * (`RUNNER_NAME=primary`, store-direct like in a workflow). After web-1 and
 * web-2 switched, the primary dies whole: deployer, agent and runner process
 * are SIGKILLed. GitHub then reports the job completed with `failure` on
 * primary (a signed `workflow_job` delivery). The server must ask GitHub for
 * exactly one re-run of that job and break the dead runner's deploy lock;
 * the re-run, on the secondary, recovers the interrupted deploy first and
 * then deploys 2.0.0 to every target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deliverWebhook, jobPayload, workflowJobDelivery } from '../support/fake-github.js';
import {
  Fleet, GITHUB_SECRETS, githubEnv, githubSection, inspectStore, poll, runPitcrew, scenarioScope, Stage, startDeployProcess, startScenarioGitHub,
  startServerWithEnv, TOKENS,
} from './support/index.js';

const JOB = { id: 4242, run_id: 777, run_attempt: 1, name: 'deploy production', workflow_name: 'Deploy', labels: ['self-hosted', 'linux'] };

test('a deploy job whose runner dies mid-deploy is re-run once by the server and finished on the secondary, every target on the new release', { timeout: 150_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const github = await startScenarioGitHub(scope);
  const fleet = await Fleet.create(scope, {
    runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }],
    environments: { production: stage.environmentConfig() },
    extra: { github: githubSection(github) },
  });
  const dbPath = join(fleet.dir, 'pitcrew.db');
  await startServerWithEnv(scope, fleet, githubEnv());
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  await fleet.waitForState('primary', 'online');
  await fleet.waitForState('secondary', 'online');
  const on = (runner: string) => ({ ...fleet.tokenEnv(), RUNNER_NAME: runner, GITHUB_ACTOR: 'octocat', USER: 'scenario' });
  const deploy = (runner: string, file: string) => runPitcrew(['--config', fleet.configPath, 'deploy', 'production', '--artifact', file], { env: on(runner), cwd: fleet.dir, timeoutMs: 60_000 });
  const webhook = (payload: unknown) => deliverWebhook(`${fleet.serverUrl}/api/v1/github/webhook`, 'workflow_job', payload, GITHUB_SECRETS.webhookSecret.value);

  const v1 = await stage.artifact('1.0.0');
  const v2 = await stage.artifact('2.0.0');
  const base = await deploy('primary', v1.file);
  assert.equal(base.code, 0, base.stdout + base.stderr);

  // The deploy job starts on the primary (GitHub says so), and its deploy gets as far as web-2.
  const startedAt = new Date().toISOString();
  const inProgress = await webhook(workflowJobDelivery('in_progress', { ...JOB, runner_name: 'primary', started_at: startedAt }));
  assert.equal(inProgress.status, 200, inProgress.body);
  await stage.hold(1);
  const deployer = await startDeployProcess(scope, 'pitcrew deploy 2.0.0 on primary', fleet.configPath, stage, v2, [], on('primary'));
  await poll('web-1 and web-2 to be on 2.0.0 while web-3 is not', async () => {
    if (!deployer.running()) throw new Error(`the deployer exited early: ${deployer.tail()}`);
    const now = await stage.currents();
    return now[0] === v2.releaseId && now[1] === v2.releaseId && now[2] === v1.releaseId;
  }, { deadlineMs: 30_000, context: () => `${deployer.tail()}\n${fleet.logs()}` });
  const held = await inspectStore(dbPath, (s) => s.lockStatus('production', Date.now()));
  assert.equal(held.holder?.runner, 'primary', 'the deploy holds the lock as the primary runner');

  // The primary dies: its deployer, its agent and the runner itself.
  await deployer.stop('SIGKILL');
  await fleet.agents.get('primary')!.stop('SIGKILL');
  await fleet.runners.get('primary')!.stop('SIGKILL');
  await stage.release();
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v1.releaseId]);
  await fleet.waitForState('primary', 'offline', { deadlineMs: 20_000 });

  // GitHub fails the job on the lost runner; the server must re-run it, exactly once.
  github.putJob(jobPayload({ ...JOB, status: 'completed', conclusion: 'failure', runner_name: 'primary', started_at: startedAt }));
  const rerunPath = `/repos/o/r/actions/jobs/${JOB.id}/rerun`;
  github.expect('POST', rerunPath);
  const failed = workflowJobDelivery('completed', { ...JOB, conclusion: 'failure', runner_name: 'primary', started_at: startedAt, completed_at: new Date().toISOString() });
  const answer = await webhook(failed);
  assert.equal(answer.status, 200, answer.body);
  assert.equal((JSON.parse(answer.body) as { action: string }).action, 'rerun', answer.body);
  // GitHub redelivers: no second re-run.
  const again = await webhook(failed);
  assert.equal(again.status, 200, again.body);
  assert.equal((JSON.parse(again.body) as { action: string }).action, 'not-rerun', again.body);
  github.assertDone();
  const reruns = github.calls.filter((c) => c.method === 'POST' && c.pathname === rerunPath);
  assert.equal(reruns.length, 1);
  assert.match(reruns[0].headers.authorization ?? '', /^(token|Bearer) \S+$/, 'the re-run is asked with the configured token');

  // The dead runner's lock was broken by the server, and both acts are audited.
  await inspectStore(dbPath, async (s) => {
    const lock = await s.lockStatus('production', Date.now());
    assert.equal(lock.holder, null, 'the server freed the lock the dead primary held');
    const rerunAudit = await s.listAudit({ action: 'job.rerun' });
    assert.deepEqual(rerunAudit.map((a) => a.target), [`${JOB.id}:1`]);
    const forced = await s.listAudit({ action: 'lock.force-release' });
    assert.equal(forced.length, 1);
    assert.equal(forced[0].actor, 'pitcrew-server');
    assert.match(forced[0].detail ?? '', /primary went offline/);
  });

  // GitHub hands the re-run to the secondary: the same deploy, which recovers the interrupted one first.
  const rerun = await deploy('secondary', v2.file);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  const recoveredAt = rerun.stdout.search(/deployment \S+ of 2\.0\.0 did not finish: rolling back every target it touched/);
  assert.ok(recoveredAt >= 0 && rerun.stdout.indexOf('switching batch') > recoveredAt, rerun.stdout);
  assert.doesNotMatch(rerun.stdout, /waiting for the lock/, 'the re-run did not wait out the dead runner\'s lease');
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v2.releaseId], 'every target on 2.0.0');

  await inspectStore(dbPath, async (s) => {
    const deployments = await s.listDeployments({ environment: 'production' });
    const mine = deployments.filter((d) => d.version === '2.0.0');
    assert.deepEqual(mine.map((d) => `${d.runner}:${d.state}`).sort(), ['primary:interrupted', 'secondary:succeeded']);
  });

  const report = await runPitcrew(['--config', fleet.configPath, '--json', 'report'], { env: fleet.tokenEnv(), cwd: fleet.dir });
  assert.equal(report.code, 0, report.stderr);
  assert.equal((JSON.parse(report.stdout) as { failovers: { count: number } }).failovers.count, 1);

  const metrics = await (await fetch(`${fleet.serverUrl}/metrics`, { headers: { authorization: `Bearer ${TOKENS.viewer.value}` } })).text();
  assert.match(metrics, /^pitcrew_failovers_total\{environment="production"\} 1$/m);
  assert.deepEqual(fleet.leakedTokens(), []);
  const serverOutput = fleet.server!.stdout() + fleet.server!.stderr();
  assert.ok(!serverOutput.includes(GITHUB_SECRETS.token.value) && !serverOutput.includes(GITHUB_SECRETS.webhookSecret.value), 'no GitHub secret in the server output');
});

/**
 * Scenario 6: automatic failover of an in-flight deploy job when its runner
 * dies.
 *
 * Real `pitcrew server` and two real agents (primary, secondary), each
 * watching a stand-in runner process, over one SQLite store; GitHub played by
 * the fail-closed fake (runners list polled with ETags, workflow runs, signed
 * `workflow_job` deliveries), three local targets on 1.0.0, and production
 * with `autoRerun: true`. GitHub reports the deploy job of 2.0.0 in progress
 * on the primary (`RUNNER_NAME=primary`, store-direct like in a workflow).
 * After web-1 and web-2 switched, the primary dies whole: deployer, agent and
 * runner process are SIGKILLed. With no further word from GitHub, the server
 * must record the primary offline with its reason, cancel the workflow run,
 * wait until GitHub reports it completed, re-run its failed jobs exactly once
 * and break the dead runner's deploy lock, with every act in the audit log;
 * `pitcrew select` must name the secondary. The re-run, on the secondary,
 * recovers the interrupted deploy first and then deploys 2.0.0 everywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deliverWebhook, jobPayload, runPayload, workflowJobDelivery } from '../support/fake-github.js';
import {
  Fleet, GITHUB_SECRETS, githubEnv, githubSection, inspectStore, poll, runPitcrew, scenarioScope, Stage, startDeployProcess, startScenarioGitHub,
  startServerWithEnv, TOKENS,
} from './support/index.js';

const JOB = { id: 4242, run_id: 777, run_attempt: 1, name: 'deploy production', workflow_name: 'Deploy', labels: ['self-hosted', 'linux'] };

test('a deploy job whose runner dies mid-deploy has its run cancelled and re-run by the server, and is finished on the secondary', { timeout: 150_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const github = await startScenarioGitHub(scope);
  github.addRunner({ name: 'primary', labels: ['self-hosted', 'linux'] });
  github.addRunner({ name: 'secondary', labels: ['self-hosted', 'linux'] });
  github.allow('GET', '/repos/o/r/actions/runners', { min: 2 });
  const fleet = await Fleet.create(scope, {
    runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }],
    environments: { production: { ...stage.environmentConfig(), autoRerun: true, maxReruns: 2 } },
    extra: { github: { ...githubSection(github), pollInterval: '1s' } },
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
  github.putRun(runPayload({ id: JOB.run_id, status: 'in_progress' }));
  github.putJob(jobPayload({ ...JOB, status: 'in_progress', runner_name: 'primary', started_at: startedAt }));
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

  // The server cancels the run once it sees the primary gone, then re-runs its failed jobs once the run completed.
  const runPath = `/repos/o/r/actions/runs/${JOB.run_id}`;
  github.expect('GET', runPath, undefined, { times: 2 });
  github.expect('POST', `${runPath}/cancel`);
  github.expect('POST', `${runPath}/rerun-failed-jobs`);

  // The primary dies: its deployer, its agent and the runner itself.
  await deployer.stop('SIGKILL');
  await fleet.agents.get('primary')!.stop('SIGKILL');
  await fleet.runners.get('primary')!.stop('SIGKILL');
  github.setRunnerStatus('primary', 'offline');
  await stage.release();
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v1.releaseId]);
  const offline = await fleet.waitForState('primary', 'offline', { deadlineMs: 20_000 });
  assert.deepEqual(offline.reasons, ['agent connection closed']);

  await poll('the server to re-run the failed jobs of the run', () => github.calls.some((c) => c.method === 'POST' && c.pathname === `${runPath}/rerun-failed-jobs`), {
    deadlineMs: 30_000, context: () => `${github.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join('\n')}\n${fleet.logs()}`,
  });
  const runCalls = github.calls.filter((c) => c.pathname.startsWith(runPath));
  assert.deepEqual(runCalls.map((c) => `${c.method} ${c.pathname} ${c.status}`), [
    `GET ${runPath} 200`,
    `POST ${runPath}/cancel 202`,
    `GET ${runPath} 200`,
    `POST ${runPath}/rerun-failed-jobs 201`,
  ]);
  for (const c of runCalls) assert.match(c.headers.authorization ?? '', /^(token|Bearer) \S+$/, 'asked with the configured token');

  // GitHub reports the cancelled job, twice (a redelivery): nothing more is asked of it.
  const cancelled = github.jobs.get(JOB.id)!;
  assert.equal(cancelled.conclusion, 'cancelled');
  const completed = workflowJobDelivery('completed', { ...JOB, conclusion: 'cancelled', runner_name: 'primary', started_at: startedAt, completed_at: cancelled.completed_at ?? undefined });
  for (let i = 0; i < 2; i++) {
    const answer = await webhook(completed);
    assert.equal(answer.status, 200, answer.body);
    assert.equal((JSON.parse(answer.body) as { action: string }).action, 'not-rerun', answer.body);
  }

  // The workflow's routing step names the secondary; the runners list says why the primary is out.
  const routed = await fleet.cli(['select', '--env', 'production']);
  assert.deepEqual([routed.code, routed.stdout], [0, 'secondary\n'], routed.stderr);
  const listed = await fleet.cli(['--json', 'runners']);
  assert.equal(listed.code, 0, listed.stderr);
  const { runners } = JSON.parse(listed.stdout) as { runners: Array<{ name: string; state: string; reasons: string[]; lastHeartbeatAt: number | null; currentJob: { runId?: number } | null }> };
  const primary = runners.find((r) => r.name === 'primary')!;
  assert.deepEqual([primary.state, primary.reasons], ['offline', ['agent connection closed']]);
  assert.equal(typeof primary.lastHeartbeatAt, 'number');
  assert.equal(primary.currentJob, null, 'GitHub reported its job completed');
  assert.equal(runners.find((r) => r.name === 'secondary')?.state, 'online');

  // The state change and its reason are stored, the lock was broken, and the audit log holds the cancel and the re-run.
  await inspectStore(dbPath, async (s) => {
    const history = await s.runnerStateHistory('primary', 0);
    assert.deepEqual([history.at(-1)?.to, history.at(-1)?.reasons], ['offline', ['agent connection closed']]);
    const lock = await s.lockStatus('production', Date.now());
    assert.equal(lock.holder, null, 'the server freed the lock the dead primary held');
    const audit = (await s.listAudit()).filter((a) => a.action.startsWith('run.')).reverse();
    assert.deepEqual(audit.map((a) => `${a.actor} ${a.action} ${a.target}`), ['pitcrew-server run.cancel 777:1', 'pitcrew-server run.rerun 777:1']);
    assert.match(audit[0].detail ?? '', /runner primary went offline while running job deploy production/);
    const forced = await s.listAudit({ action: 'lock.force-release' });
    assert.equal(forced.length, 1);
    assert.equal(forced[0].actor, 'pitcrew-server');
    assert.match(forced[0].detail ?? '', /primary went offline/);
    const jobs = await s.listWorkflowJobs({ runner: 'primary' });
    assert.deepEqual(jobs.map((j) => `${j.jobId} ${j.status} ${j.conclusion}`), [`${JOB.id} completed cancelled`]);
    assert.equal(typeof jobs[0].durationMs, 'number');
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
  github.assertDone();
  assert.deepEqual(fleet.leakedTokens(), []);
  const serverOutput = fleet.server!.stdout() + fleet.server!.stderr();
  assert.ok(!serverOutput.includes(GITHUB_SECRETS.token.value) && !serverOutput.includes(GITHUB_SECRETS.webhookSecret.value), 'no GitHub secret in the server output');
});

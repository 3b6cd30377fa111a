/**
 * The demo's story, step by step, each narrated in plain words and then
 * checked against what really happened (the deploy report, the store, the
 * targets' links, the apps' answers, the server's answers). Must never
 * narrate a result it has not checked.
 */
import type { Store } from '../store/index.js';
import type { ServerClient } from '../server/index.js';
import { currentReleases, DemoStepFailed, expectThat, servedVersions, waitFor } from './checks.js';
import { deployRelease, type DeployDeps } from './deploys.js';
import type { Child } from './children.js';
import { queueStep } from './story-queue.js';
import { reportStep } from './story-report.js';
import { ENVIRONMENT, FAILING_TARGET, type Version } from './workspace.js';

export interface StoryContext extends DeployDeps {
  client: ServerClient;
  /** The server's store, for checking what was recorded. */
  store: Store;
  runners: Map<string, Child>;
  /** The release id each version got when it was deployed. */
  releases: Partial<Record<Version, string>>;
}

export interface StoryStep {
  title: string;
  run(s: StoryContext): Promise<void>;
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

async function expectServing(s: StoryContext, step: string, version: string): Promise<void> {
  const want = s.ws.targets.map(() => version);
  let last: string[] = [];
  try {
    await waitFor(step, `every app to serve ${version}`, async () => {
      last = await servedVersions(s.ws.targets);
      return same(last, want) ? last : undefined;
    }, 10_000, s.signal);
  } catch (err) {
    throw new DemoStepFailed(step, `not every app serves ${version}; they answer ${last.join(', ')} (${(err as Error).message})`);
  }
  s.say(`  every app answers over HTTP with ${version}: ${s.ws.targets.map((t) => `${t.name} on 127.0.0.1:${t.port}`).join(', ')}`);
}

async function lastDeployment(s: StoryContext, id: string | null, step: string) {
  const recorded = (await s.store.listDeployments({ environment: ENVIRONMENT })).find((d) => d.id === id);
  expectThat(recorded !== undefined, step, `the store has no deployment ${id}`);
  return recorded!;
}

async function healthyDeploy(s: StoryContext, step: string, version: Version, runner: string): Promise<string> {
  const report = await deployRelease(s, version, runner);
  expectThat(report.result === 'succeeded', step, `the deploy of ${version} ended ${report.result}${report.error ? `: ${report.error}` : ''}`);
  const currents = await currentReleases(s.ws.targets);
  expectThat(currents.every((c) => c === report.releaseId), step, `the targets point at ${currents.join(', ')}, not all at ${report.releaseId}`);
  const recorded = await lastDeployment(s, report.deploymentId, step);
  expectThat(recorded.result === 'succeeded' && recorded.runner === runner, step, `the store recorded result ${recorded.result} on runner ${recorded.runner}`);
  s.say(`  recorded: deployment of ${version} succeeded through ${runner}; all three targets on ${report.releaseId}`);
  await expectServing(s, step, version);
  return report.releaseId;
}

export const STORY: StoryStep[] = [
  {
    title: 'the fleet comes up',
    async run(s) {
      s.say('Two agents report to the server every half second. Waiting until both runners are online...');
      const views = await waitFor(this.title, 'both runners to be online', async () => {
        const runners = await s.client.runners();
        return runners.length === 2 && runners.every((r) => r.state === 'online') ? runners : undefined;
      }, 20_000, s.signal);
      s.say(`  ${views.map((r) => `${r.name} (priority ${r.priority}) is ${r.state}`).join('; ')}`);
      const pick = await s.client.select(ENVIRONMENT);
      expectThat(pick.runner === 'primary', this.title, `select chose ${pick.runner ?? 'no runner'} (${pick.summary}), not primary`);
      s.say(`  \`pitcrew select --env ${ENVIRONMENT}\` answers: ${pick.runner}`);
    },
  },
  {
    title: 'deploy v1',
    async run(s) {
      s.say('Deploy v1 through the primary runner: the artifact is verified, the lock taken, v1 staged and switched on all three targets, each health-checked.');
      await healthyDeploy(s, this.title, 'v1', 'primary');
    },
  },
  {
    title: 'deploy v2',
    async run(s) {
      s.say('Deploy v2, a healthy release, the same way.');
      s.releases.v2 = await healthyDeploy(s, this.title, 'v2', 'primary');
    },
  },
  {
    title: 'deploy v3, rolled back',
    async run(s) {
      s.say(`Deploy v3. Its app answers 500 on /health on ${FAILING_TARGET} only. Watch every target go back to v2:`);
      const report = await deployRelease(s, 'v3', 'primary');
      expectThat(report.result === 'rolled-back' && report.exitCode === 1, this.title, `the deploy of v3 ended ${report.result} (exit ${report.exitCode}), not rolled-back (exit 1)`);
      const journal = await s.store.listJournal(report.deploymentId ?? '');
      // The journal's health entry records the check's outcome in its detail: `command "...": failed (...)`.
      const failed = journal.filter((e) => e.step === 'health' && /": failed\b/.test(e.detail ?? '')).map((e) => e.target);
      expectThat(same(failed, [FAILING_TARGET]), this.title, `the health check failed on ${failed.join(', ') || 'no target'}, not on ${FAILING_TARGET} alone`);
      expectThat(report.targets.every((t) => t.rolledBack === 'ok'), this.title, `not every target was rolled back: ${report.targets.map((t) => `${t.target} ${t.rolledBack}`).join(', ')}`);
      const v2 = s.releases.v2;
      const currents = await currentReleases(s.ws.targets);
      expectThat(currents.every((c) => c === v2), this.title, `after the rollback the targets point at ${currents.join(', ')}, not all at ${v2}`);
      const recorded = await lastDeployment(s, report.deploymentId, this.title);
      expectThat(recorded.result === 'rolled-back', this.title, `the store recorded the v3 deployment as ${recorded.result}, not rolled-back`);
      s.say(`  recorded: deployment of v3 rolled back; the health check failed on ${FAILING_TARGET}, and all three targets are on ${v2} again`);
      await expectServing(s, this.title, 'v2');
    },
  },
  {
    title: 'the primary runner dies',
    async run(s) {
      const primary = s.runners.get('primary');
      expectThat(primary !== undefined, this.title, 'the primary runner process is not running');
      s.say(`Kill the primary runner's process (pid ${primary!.pid}). Its agent's next probe finds it gone...`);
      await primary!.kill('SIGKILL');
      const view = await waitFor(this.title, 'the server to mark primary offline', async () => {
        const r = (await s.client.runners()).find((x) => x.name === 'primary');
        return r?.state === 'offline' ? r : undefined;
      }, 20_000, s.signal);
      s.say(`  the server marks primary offline: ${view.reasons.join('; ')}`);
      const pick = await s.client.select(ENVIRONMENT);
      expectThat(pick.runner === 'secondary', this.title, `select chose ${pick.runner ?? 'no runner'} (${pick.summary}), not secondary`);
      s.say(`  \`pitcrew select --env ${ENVIRONMENT}\` now answers: ${pick.runner}, no human involved`);
    },
  },
  queueStep,
  reportStep,
];

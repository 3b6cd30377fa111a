/**
 * Deployments, journals, locks and incidents shaped like the deploy engine
 * writes them, put straight into the store for dashboard tests: a good
 * deploy, a rolled-back one (health check failed on web-2, every target
 * switched back), one in progress holding the production lock with another
 * runner waiting, and incidents open and resolved.
 */
import type { Store } from '../../src/store/index.js';

/** A secret that appears in a stored journal detail; a dashboard with the masker must never show it. */
export const SECRET = 'hunter2-deploy-key-9f8e7d';

const MIN = 60_000;

async function journal(store: Store, deploymentId: string, token: number, start: number, events: Array<[string, string | null, string, string | null, number]>): Promise<void> {
  for (const [step, target, phase, detail, offsetMs] of events) {
    await store.appendJournal({ deploymentId, step, target, phase, detail, fencingToken: token, at: start + offsetMs });
  }
}

async function takeLock(store: Store, env: string, runner: string, owner: string, description: string, now: number): Promise<number> {
  await store.enqueueLock(env, { ownerToken: owner, runner, description, ttlMs: 10 * MIN }, now, 30_000);
  const poll = await store.pollLock(env, owner, now, 30_000);
  if (poll.status !== 'granted') throw new Error(`lock for ${env} not granted: ${poll.status}`);
  return poll.fencingToken;
}

function perTarget(step: string, start: number, took: number, detail: (t: string) => string | null = () => null): Array<[string, string | null, string, string | null, number]> {
  return ['web-1', 'web-2'].flatMap((t, i) => [
    [step, t, 'started', null, start + i * 10] as [string, string | null, string, string | null, number],
    [step, t, 'done', detail(t), start + i * 10 + took] as [string, string | null, string, string | null, number],
  ]);
}

/** State changes of the last day, so the fleet's timelines have something to show. */
async function seedRunnerHistory(store: Store, now: number): Promise<void> {
  const H = 60 * MIN;
  const changes: Array<[string, 'online' | 'degraded' | 'offline', string, number]> = [
    ['primary', 'online', 'all probes healthy', now - 22 * H],
    ['secondary', 'online', 'all probes healthy', now - 20 * H],
    ['secondary', 'offline', 'no heartbeat for 6.1 s (timeout 5 s)', now - 300 * MIN],
    ['secondary', 'online', 'all probes healthy', now - 297 * MIN],
    ['stager', 'online', 'all probes healthy', now - 23 * H],
    ['stager', 'degraded', 'disk 93 % used (limit 90 %)', now - 10 * H],
    ['stager', 'offline', 'agent connection closed', now - 9 * H],
  ];
  for (const name of ['primary', 'secondary', 'stager']) {
    await store.upsertRunner({ name, labels: [], environments: [], priority: 0, authorized: true }, now - 24 * H);
  }
  for (const [runner, state, reason, at] of changes) await store.setRunnerState(runner, state, [reason], at);
}

export async function seedStore(store: Store, now: number): Promise<{ good: string; rolledBack: string; running: string }> {
  await seedRunnerHistory(store, now);
  // A deploy that succeeded two hours ago.
  const goodAt = now - 120 * MIN;
  const t1 = await takeLock(store, 'production', 'primary', 'owner-1', 'deploy 1.4.0 by ci', goodAt);
  await store.createDeployment({ id: 'dep-good-140', environment: 'production', version: '1.4.0', digest: 'sha256:1f2e3d4c5b6a79881f2e3d4c5b6a7988', runner: 'primary', actor: 'ci', state: 'done', startedAt: goodAt, fencingToken: t1 });
  await journal(store, 'dep-good-140', t1, goodAt, [
    ['lock', null, 'done', `fencing token ${t1}`, 0],
    ...perTarget('upload', 1000, 4000),
    ...perTarget('stage', 6000, 2000),
    ...perTarget('switch', 9000, 300),
    ...perTarget('health-check', 10_000, 1500, (t) => `GET http://${t}/healthz 200 in 35 ms`),
  ]);
  await store.updateDeployment('dep-good-140', { state: 'done', result: 'succeeded', finishedAt: goodAt + 12_000 });
  await store.releaseLock('production', 'owner-1');

  // A deploy rolled back an hour ago: web-2's health check failed.
  const badAt = now - 60 * MIN;
  const t2 = await takeLock(store, 'production', 'secondary', 'owner-2', 'deploy 1.5.0 by ci', badAt);
  await store.createDeployment({ id: 'dep-rb-150', environment: 'production', version: '1.5.0', digest: 'sha256:aa11bb22cc33dd44ee55ff6677889900', runner: 'secondary', actor: 'ci', state: 'running', startedAt: badAt, fencingToken: t2 });
  await journal(store, 'dep-rb-150', t2, badAt, [
    ['lock', null, 'done', `fencing token ${t2}`, 0],
    ...perTarget('upload', 1000, 3000),
    ...perTarget('stage', 5000, 2000),
    ...perTarget('switch', 8000, 200),
    ['health-check', 'web-1', 'started', null, 9000],
    ['health-check', 'web-1', 'done', 'GET http://web-1/healthz 200 in 41 ms', 9800],
    ['health-check', 'web-2', 'started', null, 9010],
    ['health-check', 'web-2', 'failed', `GET http://web-2/healthz answered 503 three times; curl -H "Authorization: Bearer ${SECRET}"`, 39_000],
    ['rollback-switch', 'web-1', 'started', null, 39_100],
    ['rollback-switch', 'web-1', 'done', 'current -> releases/1.4.0', 39_400],
    ['rollback-switch', 'web-2', 'started', null, 39_110],
    ['rollback-switch', 'web-2', 'done', 'current -> releases/1.4.0', 39_500],
  ]);
  await store.updateDeployment('dep-rb-150', { state: 'rolled-back', result: 'rolled-back', finishedAt: badAt + 40_000, error: 'health check failed on web-2: HTTP 503' });
  await store.releaseLock('production', 'owner-2');
  await store.openIncident({ id: 'inc-rb', kind: 'deploy-rolled-back', openedAt: badAt + 39_000, detectedAt: badAt + 39_000, cause: 'health check failed on web-2', environment: 'production', deploymentId: 'dep-rb-150' });
  await store.resolveIncident('inc-rb', badAt + 40_000, 'rolled back to 1.4.0');

  // A runner incident resolved in three minutes, and one still open.
  await store.openIncident({ id: 'inc-offline', kind: 'runner-offline', openedAt: now - 300 * MIN, detectedAt: now - 300 * MIN + 6000, cause: 'no heartbeat for 6.1 s (timeout 5 s)', runner: 'secondary' });
  await store.resolveIncident('inc-offline', now - 297 * MIN, 'runner service restarted');
  await store.openIncident({ id: 'inc-disk', kind: 'runner-degraded', openedAt: now - 2 * MIN, detectedAt: now - 2 * MIN + 2000, cause: 'disk 93 % used (limit 90 %)', runner: 'stager', environment: 'staging' });

  // A deploy in progress holding the production lock, another runner waiting.
  const runAt = now - 1 * MIN;
  const t3 = await takeLock(store, 'production', 'primary', 'owner-3', 'deploy 1.5.1 by ci', runAt);
  await store.enqueueLock('production', { ownerToken: 'owner-4', runner: 'secondary', description: 'deploy 1.5.2 by ci', ttlMs: 10 * MIN }, now, 30 * MIN);
  await store.createDeployment({ id: 'dep-run-151', environment: 'production', version: '1.5.1', digest: 'sha256:0123456789abcdef0123456789abcdef', runner: 'primary', actor: 'ci', state: 'running', startedAt: runAt, fencingToken: t3 });
  await journal(store, 'dep-run-151', t3, runAt, [['lock', null, 'done', `fencing token ${t3}`, 0], ['upload', 'web-1', 'started', null, 1000]]);
  return { good: 'dep-good-140', rolledBack: 'dep-rb-150', running: 'dep-run-151' };
}

/**
 * A deterministic deployment history for report tests: a seeded PRNG picks
 * each deploy's environment, result, duration and lock wait; incidents,
 * runner state changes and failover audit entries are added around them.
 * Everything is written into a real store and also returned, so tests can
 * recompute every figure independently.
 */
import type { Deployment, Incident, Store } from '../../src/store/index.js';

/** mulberry32: a small, well-known deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const RESULTS = ['succeeded', 'failed', 'rolled-back', 'rollback-failed', 'interrupted', 'cancelled'] as const;
export const ENVIRONMENTS = ['prod', 'staging'] as const;
const MINUTE = 60_000;

export interface SeededHistory {
  deployments: Deployment[];
  incidents: Incident[];
  failoverAts: number[];
}

function pickResult(r: number): string | null {
  if (r < 0.9) return 'succeeded';
  if (r < 0.93) return 'failed';
  if (r < 0.955) return 'rolled-back';
  if (r < 0.965) return 'rollback-failed';
  if (r < 0.975) return 'interrupted';
  if (r < 0.99) return 'cancelled';
  return null; // still running
}

/**
 * Writes `count` deployments spread evenly over [start, start + spanMs), with
 * incidents, state changes for runners `ci-1` (prod) and `ci-2` (staging) and
 * failover audit entries.
 */
export async function seedHistory(store: Store, opts: { seed: number; count: number; start: number; spanMs: number }): Promise<SeededHistory> {
  const rnd = prng(opts.seed);
  const step = Math.floor(opts.spanMs / opts.count);
  const deployments: Deployment[] = [];
  for (let n = 0; n < opts.count; n++) {
    const startedAt = opts.start + n * step;
    const environment = ENVIRONMENTS[rnd() < 0.7 ? 0 : 1];
    const result = pickResult(rnd());
    const durationMs = Math.round(MINUTE + rnd() * 12 * MINUTE);
    const lockWaitMs = rnd() < 0.2 ? null : Math.round(rnd() * 90_000);
    await store.createDeployment({
      id: `d-${String(n).padStart(5, '0')}`, environment, version: `1.0.${n}`, digest: `sha256:${n}`, runner: environment === 'prod' ? 'ci-1' : 'ci-2',
      actor: 'octocat', state: 'running', startedAt, lockWaitMs,
    });
    const d = result === null ? await store.getDeployment(`d-${String(n).padStart(5, '0')}`) : await store.updateDeployment(`d-${String(n).padStart(5, '0')}`, { state: result, result, finishedAt: startedAt + durationMs });
    deployments.push(d as Deployment);
  }
  const incidents: Incident[] = [];
  for (let n = 0; n < 40; n++) {
    const openedAt = opts.start + Math.floor(rnd() * opts.spanMs);
    const detect = Math.round(rnd() * 60_000);
    const onRunner = rnd() < 0.5;
    const i = await store.openIncident({
      kind: onRunner ? 'runner.offline-holding-lock' : 'deploy.rolled-back', openedAt, detectedAt: openedAt + detect, cause: `seeded ${n}`,
      environment: onRunner ? null : ENVIRONMENTS[n % 2], runner: onRunner ? (n % 2 === 0 ? 'ci-1' : 'ci-2') : null,
    });
    incidents.push(rnd() < 0.8 ? await store.resolveIncident(i.id, openedAt + detect + Math.round(rnd() * 10 * MINUTE), 'fixed') : i);
  }
  for (const [name, env] of [['ci-1', 'prod'], ['ci-2', 'staging']] as const) {
    await store.upsertRunner({ name, labels: ['self-hosted'], environments: [env], priority: 0, authorized: true }, opts.start);
  }
  const failoverAts: number[] = [];
  for (let n = 0; n < 7; n++) {
    const at = opts.start + Math.floor(rnd() * opts.spanMs);
    failoverAts.push(at);
    await store.appendAudit({ at, actor: 'pitcrew-server', action: n % 2 === 0 ? 'failover.rerun' : 'job.rerun', target: `${1000 + n}:1`, detail: 'runner went offline' });
  }
  await store.appendAudit({ at: opts.start + 1, actor: 'pitcrew-server', action: 'job.rerun-failed', target: '99:1', detail: 'not counted' });
  return { deployments, incidents, failoverAts };
}

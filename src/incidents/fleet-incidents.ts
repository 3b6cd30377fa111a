/**
 * The incidents the server's fleet monitor opens and resolves: a runner that
 * went offline while holding an environment's deploy lock, an environment
 * none of whose authorized runners is online, and the runner being online
 * again. The monitor says what changed; this file decides what it means.
 *
 * Must never open a second incident for a problem that has one open, and
 * never report an environment as unhealthy twice in a row (it remembers
 * which environments it last found without an online runner).
 */
import type { Incident, Store } from '../store/index.js';
import { ENVIRONMENT_NO_HEALTHY_RUNNER, RUNNER_OFFLINE_HOLDING_LOCK } from './kinds.js';
import { openIncidentOnce, resolveIncidentsWhen } from './lifecycle.js';

export interface RunnerWentOffline {
  runner: string;
  /** The environments the runner may deploy to (whose locks it may hold). */
  environments: readonly string[];
  reasons: readonly string[];
  /** When the runner was last heard from (its last heartbeat), else when it was found offline. */
  startedAt: number;
  detectedAt: number;
}

/** Opens `runner.offline-holding-lock` for each environment whose unexpired lock the runner holds; returns the incidents opened. */
export async function runnerWentOffline(store: Store, r: RunnerWentOffline): Promise<Incident[]> {
  const opened: Incident[] = [];
  for (const environment of r.environments) {
    const { holder } = await store.lockStatus(environment, r.detectedAt);
    if (holder === null || holder.expired || holder.runner !== r.runner) continue;
    const why = r.reasons[0] ?? 'offline';
    const res = await openIncidentOnce(store, {
      kind: RUNNER_OFFLINE_HOLDING_LOCK, runner: r.runner, environment,
      cause: `runner ${r.runner} went offline (${why}) while holding the deploy lock of ${environment} (fencing token ${holder.fencingToken})`,
      startedAt: Math.min(r.startedAt, r.detectedAt), detectedAt: r.detectedAt,
    });
    if (res.opened) opened.push(res.incident);
  }
  return opened;
}

/** Resolves the runner's offline-holding-lock incidents and the no-healthy-runner incidents of `environments`. */
export function runnerCameOnline(store: Store, runner: string, environments: readonly string[], at: number): Promise<Incident[]> {
  return resolveIncidentsWhen(store, { type: 'runner-online', runner, environments: [...environments] }, at, `runner ${runner} is online again`);
}

/** One authorized runner of an environment as the monitor sees it now. */
export interface RunnerStanding {
  name: string;
  state: string;
  reasons: readonly string[];
  /** When it last stopped being online; undefined when that is not known. */
  leftOnlineAt?: number;
}

export interface EnvironmentWithoutRunner {
  environment: string;
  cause: string;
  startedAt: number;
}

/**
 * Remembers which environments had no online runner at the last round and
 * reports those that newly have none. Environments with no authorized runner
 * at all are never reported: nothing there can be healthy or not.
 */
export class EnvironmentHealthWatch {
  private readonly unhealthy = new Set<string>();

  /** `since`: when watching began, the start of the condition when a runner's departure is unknown. */
  constructor(private readonly since: number) {}

  /** A runner serving these environments is online: the next time they have none, that is a new problem. */
  forget(environments: readonly string[]): void {
    for (const env of environments) this.unhealthy.delete(env);
  }

  round(runnersByEnvironment: ReadonlyMap<string, readonly RunnerStanding[]>, now: number): EnvironmentWithoutRunner[] {
    const fresh: EnvironmentWithoutRunner[] = [];
    for (const [environment, runners] of runnersByEnvironment) {
      const healthy = runners.length === 0 || runners.some((r) => r.state === 'online');
      if (healthy) {
        this.unhealthy.delete(environment);
        continue;
      }
      if (this.unhealthy.has(environment)) continue;
      this.unhealthy.add(environment);
      const startedAt = Math.min(now, Math.max(...runners.map((r) => r.leftOnlineAt ?? this.since)));
      const each = runners.map((r) => `${r.name} ${r.state}${r.reasons[0] ? ` (${r.reasons[0]})` : ''}`).join(', ');
      fresh.push({ environment, startedAt, cause: `no runner authorized for ${environment} is online: ${each}` });
    }
    return fresh;
  }
}

/** Opens `environment.no-healthy-runner` for one environment; returns it when it was newly opened. */
export async function environmentWithoutRunner(store: Store, e: EnvironmentWithoutRunner, detectedAt: number): Promise<Incident | undefined> {
  const res = await openIncidentOnce(store, { kind: ENVIRONMENT_NO_HEALTHY_RUNNER, environment: e.environment, cause: e.cause, startedAt: e.startedAt, detectedAt });
  return res.opened ? res.incident : undefined;
}

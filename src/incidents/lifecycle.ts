/**
 * Opens incidents at most once per problem and resolves them when the
 * condition that opened them is gone. Used by the server and the deploy
 * engine; the policy (which condition resolves which kind) lives here, the
 * store only records. Never resolves an incident opened after the condition
 * that would resolve it, and never opens a second incident for a problem
 * that already has an open one.
 */
import type { Incident, Store } from '../store/index.js';
import { DEPLOY_ROLLBACK_FAILED, DEPLOY_ROLLED_BACK, ENVIRONMENT_NO_HEALTHY_RUNNER, RUNNER_OFFLINE_HOLDING_LOCK } from './kinds.js';

/** Who the audit log names for changes pitcrew makes on its own. */
export const AUTOMATIC_ACTOR = 'pitcrew';

export interface OpenIncidentRequest {
  kind: string;
  environment?: string | null;
  runner?: string | null;
  deploymentId?: string | null;
  cause: string;
  /** When the problem began. */
  startedAt: number;
  /** When pitcrew noticed it. */
  detectedAt: number;
}

/**
 * Opens an incident unless one of the same kind for the same environment and
 * runner is open already; returns the open one either way.
 * @example await openIncidentOnce(store, { kind: DEPLOY_ROLLED_BACK, environment: 'prod', deploymentId, cause: 'health check failed', startedAt, detectedAt: now });
 */
export async function openIncidentOnce(store: Store, req: OpenIncidentRequest): Promise<{ incident: Incident; opened: boolean }> {
  const key = { kind: req.kind, environment: req.environment ?? null, runner: req.runner ?? null };
  const existing = await store.findOpenIncident(key);
  if (existing !== null) return { incident: existing, opened: false };
  const incident = await store.openIncident({ ...key, deploymentId: req.deploymentId ?? null, cause: req.cause, openedAt: req.startedAt, detectedAt: req.detectedAt });
  return { incident, opened: true };
}

/** What has become true, and may resolve open incidents. */
export type ResolvingCondition =
  /** A deploy of the environment succeeded: resolves its rolled-back and rollback-failed incidents. */
  | { type: 'deploy-succeeded'; environment: string; deploymentId?: string }
  /**
   * A runner is online again: resolves its offline-holding-lock incidents and
   * the no-healthy-runner incidents of the environments it serves (`environments`,
   * else the runner's as stored).
   */
  | { type: 'runner-online'; runner: string; environments?: string[] };

async function matcher(store: Store, c: ResolvingCondition): Promise<(i: Incident) => boolean> {
  if (c.type === 'deploy-succeeded') {
    return (i) => (i.kind === DEPLOY_ROLLED_BACK || i.kind === DEPLOY_ROLLBACK_FAILED) && i.environment === c.environment;
  }
  const served = c.environments ?? (await store.getRunner(c.runner))?.environments ?? [];
  return (i) =>
    (i.kind === RUNNER_OFFLINE_HOLDING_LOCK && i.runner === c.runner) ||
    (i.kind === ENVIRONMENT_NO_HEALTHY_RUNNER && i.environment !== null && served.includes(i.environment));
}

/**
 * Resolves every open incident that `condition` ends (opened at or before
 * `at`), records each in the audit log as `incident.resolve` by `actor`
 * (default `pitcrew`), and returns the incidents resolved.
 * @example await resolveIncidentsWhen(store, { type: 'runner-online', runner: 'ci-2' }, now, 'runner ci-2 is online again');
 */
export async function resolveIncidentsWhen(store: Store, condition: ResolvingCondition, at: number, note: string, actor = AUTOMATIC_ACTOR): Promise<Incident[]> {
  const matches = await matcher(store, condition);
  const resolved: Incident[] = [];
  for (const i of await store.listIncidents('open')) {
    if (!matches(i) || i.openedAt > at) continue;
    const done = await store.resolveIncident(i.id, at, note);
    await store.appendAudit({ at, actor, action: 'incident.resolve', target: `incident:${i.id}`, detail: note });
    resolved.push(done);
  }
  return resolved;
}

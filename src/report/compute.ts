/**
 * Computes the report from plain records: which deployments, incidents and
 * audit entries fall in the window (and environment), their counts, rates,
 * percentiles and means, runner availability, and the objectives. Pure: never
 * reads the store or a clock, so every figure can be checked from its input.
 */
import type { AuditEntry, Deployment, Incident, LockStatus, RunnerState, RunnerStateChange } from '../store/index.js';
import { runnerAvailability, type Availability } from './availability.js';
import { evaluateObjectives, type Objective } from './objectives.js';
import { isRollback, isRollbackFailure, outcomeOf } from './outcomes.js';
import { mean, percentile, ratio } from './stats.js';

/** Audit actions counted as failovers: a deploy job (or its run's failed jobs) re-run after its runner went offline. */
export const FAILOVER_ACTIONS: readonly string[] = ['failover.rerun', 'job.rerun', 'run.rerun'];

export interface ReportWindow {
  /** Inclusive start (epoch ms). */
  from: number;
  /** End (epoch ms): the time the report was made. */
  to: number;
  /** Only this environment; null for all. */
  environment: string | null;
}

export interface RunnerRecord {
  name: string;
  environments: string[];
  state: RunnerState;
  /** Every state change, oldest first (including those before the window). */
  history: RunnerStateChange[];
}

export interface ReportInput {
  window: ReportWindow;
  deployments: readonly Deployment[];
  incidents: readonly Incident[];
  audit: readonly AuditEntry[];
  runners: readonly RunnerRecord[];
  locks: readonly LockStatus[];
}

export interface Report {
  window: ReportWindow;
  deployments: {
    /** Every deployment started in the window. */
    total: number;
    inProgress: number;
    cancelled: number;
    succeeded: number;
    failed: number;
    /** succeeded / (succeeded + failed); null with no finished deploy. */
    successRate: number | null;
    rollbacks: number;
    rollbackFailures: number;
  };
  durationMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
  lockWaitMs: { count: number; p95: number | null };
  failovers: { count: number; actions: readonly string[]; scope: 'fleet' };
  incidents: { total: number; open: number; resolved: number; mttdMs: number | null; mttrMs: number | null };
  runners: Availability[];
  locks: { environment: string; holder: string | null; queued: number }[];
  objectives: Objective[];
  objectivesMet: number;
}

const inWindow = (t: number, w: ReportWindow) => t >= w.from && t <= w.to;

export function computeReport(input: ReportInput): Report {
  const w = input.window;
  const runners = input.runners.filter((r) => w.environment === null || r.environments.includes(w.environment));
  const runnerNames = new Set(runners.map((r) => r.name));
  const deps = input.deployments.filter((d) => inWindow(d.startedAt, w) && (w.environment === null || d.environment === w.environment));

  let succeeded = 0, failed = 0, inProgress = 0, cancelled = 0;
  const durations: number[] = [];
  for (const d of deps) {
    const o = outcomeOf(d.result);
    if (o === 'success') succeeded++;
    else if (o === 'failure') failed++;
    else if (o === 'cancelled') cancelled++;
    else inProgress++;
    if ((o === 'success' || o === 'failure') && d.finishedAt !== null) durations.push(d.finishedAt - d.startedAt);
  }
  const lockWaits = deps.flatMap((d) => (d.lockWaitMs === null ? [] : [d.lockWaitMs]));

  const incidents = input.incidents.filter(
    (i) => inWindow(i.openedAt, w) && (w.environment === null || i.environment === w.environment || (i.runner !== null && runnerNames.has(i.runner))),
  );
  const resolved = incidents.filter((i) => i.resolvedAt !== null);
  const mttdMs = mean(incidents.map((i) => i.detectedAt - i.openedAt));
  const mttrMs = mean(resolved.map((i) => (i.resolvedAt as number) - i.openedAt));

  const p95 = percentile(durations, 95);
  const objectives = evaluateObjectives({ succeeded, decided: succeeded + failed, durationP95Ms: p95, mttrMs });
  return {
    window: w,
    deployments: {
      total: deps.length, inProgress, cancelled, succeeded, failed, successRate: ratio(succeeded, succeeded + failed),
      rollbacks: deps.filter((d) => isRollback(d.result)).length,
      rollbackFailures: deps.filter((d) => isRollbackFailure(d.result)).length,
    },
    durationMs: { count: durations.length, p50: percentile(durations, 50), p95, p99: percentile(durations, 99) },
    lockWaitMs: { count: lockWaits.length, p95: percentile(lockWaits, 95) },
    failovers: { count: input.audit.filter((a) => FAILOVER_ACTIONS.includes(a.action) && inWindow(a.at, w)).length, actions: FAILOVER_ACTIONS, scope: 'fleet' },
    incidents: { total: incidents.length, open: incidents.length - resolved.length, resolved: resolved.length, mttdMs, mttrMs },
    runners: runners.map((r) => runnerAvailability(r.name, r.history, r.state, w.from, w.to)),
    locks: input.locks
      .filter((l) => w.environment === null || l.environment === w.environment)
      .map((l) => ({ environment: l.environment, holder: l.holder?.description ?? null, queued: l.queue.length })),
    objectives,
    objectivesMet: objectives.filter((o) => o.met).length,
  };
}

/**
 * The service objectives from recorded history: deploy success rate, deploy
 * duration percentiles, mean time to recovery and rollbacks over a window.
 * Pure functions of deployments and incidents. A figure with nothing to
 * compute it from is `null` and its verdict is `no data`: never `met`.
 */
import type { Deployment, Incident } from '../../store/index.js';
import { isRollback, outcomeOf } from '../../report/outcomes.js';
import { mean, percentile } from '../../report/stats.js';

export const DAY_MS = 86_400_000;

/** Results the deploy engine records; anything else finished counts as a failure (src/report/outcomes.ts). */
export { RESULT_SUCCEEDED as SUCCEEDED, RESULT_ROLLED_BACK as ROLLED_BACK } from '../../report/outcomes.js';

export const TARGETS = {
  /** At least this share of finished deploys succeed. */
  successRate: 0.95,
  /** The 95th percentile deploy takes at most this long. */
  p95DurationMs: 10 * 60_000,
  /** Incidents are resolved within this on average. */
  mttrMs: 5 * 60_000,
} as const;

export type Verdict = 'met' | 'missed' | 'no data';

export interface WindowObjectives {
  days: number;
  /** Finished deployments started in the window. */
  finished: number;
  succeeded: number;
  successRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  p99DurationMs: number | null;
  /** Incidents opened in the window and resolved. */
  resolvedIncidents: number;
  mttrMs: number | null;
  rollbacks: number;
  verdicts: { successRate: Verdict; p95DurationMs: Verdict; mttrMs: Verdict };
}

export { percentile, mean };

function atLeast(value: number | null, target: number): Verdict {
  return value === null ? 'no data' : value >= target ? 'met' : 'missed';
}

function atMost(value: number | null, target: number): Verdict {
  return value === null ? 'no data' : value <= target ? 'met' : 'missed';
}

/** The objectives over the `days` before `now`. */
export function objectivesOver(deployments: readonly Deployment[], incidents: readonly Incident[], now: number, days: number): WindowObjectives {
  const from = now - days * DAY_MS;
  const finished = deployments.filter((d) => d.startedAt >= from && d.startedAt <= now && d.finishedAt !== null && (outcomeOf(d.result) === 'success' || outcomeOf(d.result) === 'failure'));
  const succeeded = finished.filter((d) => outcomeOf(d.result) === 'success').length;
  const durations = finished.map((d) => (d.finishedAt as number) - d.startedAt);
  const resolved = incidents.filter((i) => i.openedAt >= from && i.openedAt <= now && i.resolvedAt !== null);
  const successRate = finished.length === 0 ? null : succeeded / finished.length;
  const p95DurationMs = percentile(durations, 95);
  const mttrMs = mean(resolved.map((i) => (i.resolvedAt as number) - i.openedAt));
  return {
    days,
    finished: finished.length,
    succeeded,
    successRate,
    p50DurationMs: percentile(durations, 50),
    p95DurationMs,
    p99DurationMs: percentile(durations, 99),
    resolvedIncidents: resolved.length,
    mttrMs,
    rollbacks: finished.filter((d) => isRollback(d.result)).length,
    verdicts: {
      successRate: atLeast(successRate, TARGETS.successRate),
      p95DurationMs: atMost(p95DurationMs, TARGETS.p95DurationMs),
      mttrMs: atMost(mttrMs, TARGETS.mttrMs),
    },
  };
}

/**
 * Independent, deliberately naive re-computations of the report's figures,
 * written differently from src/report (counting instead of sorting), so a
 * test compares two implementations of the same definitions.
 */
import type { Deployment, Incident } from '../../src/store/index.js';

/** Nearest rank by counting: the smallest observed v with at least p % of the values <= v. */
export function nearestRankByCounting(values: number[], p: number): number | null {
  let best: number | null = null;
  for (const v of values) {
    let atOrBelow = 0;
    for (const x of values) if (x <= v) atOrBelow++;
    if (atOrBelow * 100 >= p * values.length && (best === null || v < best)) best = v;
  }
  return best;
}

export interface Expected {
  total: number;
  succeeded: number;
  failed: number;
  rollbacks: number;
  rollbackFailures: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  lockP95: number | null;
  mttd: number | null;
  mttr: number | null;
}

export function expectedFigures(deps: Deployment[], incidents: Incident[], from: number, to: number, env: string | null, envRunners: string[]): Expected {
  const inWin = deps.filter((d) => d.startedAt >= from && d.startedAt <= to && (env === null || d.environment === env));
  const decided = inWin.filter((d) => d.result !== null && d.result !== 'cancelled');
  const durations = decided.map((d) => (d.finishedAt as number) - d.startedAt);
  const locks = inWin.filter((d) => d.lockWaitMs !== null).map((d) => d.lockWaitMs as number);
  const inc = incidents.filter((i) => i.openedAt >= from && i.openedAt <= to && (env === null || i.environment === env || (i.runner !== null && envRunners.includes(i.runner))));
  const res = inc.filter((i) => i.resolvedAt !== null);
  const avg = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    total: inWin.length,
    succeeded: decided.filter((d) => d.result === 'succeeded').length,
    failed: decided.filter((d) => d.result !== 'succeeded').length,
    rollbacks: inWin.filter((d) => d.result === 'rolled-back' || d.result === 'rollback-failed').length,
    rollbackFailures: inWin.filter((d) => d.result === 'rollback-failed').length,
    p50: nearestRankByCounting(durations, 50),
    p95: nearestRankByCounting(durations, 95),
    p99: nearestRankByCounting(durations, 99),
    lockP95: nearestRankByCounting(locks, 95),
    mttd: avg(inc.map((i) => i.detectedAt - i.openedAt)),
    mttr: avg(res.map((i) => (i.resolvedAt as number) - i.openedAt)),
  };
}

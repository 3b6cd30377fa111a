/**
 * Seeds a history into a store, computes the report through the store-direct
 * path, and compares every figure with the independent re-computation.
 */
import assert from 'node:assert/strict';
import { collectReportInput, computeReport, type Report } from '../../src/report/index.js';
import type { Store } from '../../src/store/index.js';
import { expectedFigures } from './independent.js';
import type { SeededHistory } from './seed.js';

export async function reportMatchesIndependent(store: Store, h: SeededHistory, from: number, to: number, env: string | null): Promise<Report> {
  const report = computeReport(await collectReportInput(store, { from, to, environment: env }));
  const envRunners = env === null ? ['ci-1', 'ci-2'] : env === 'prod' ? ['ci-1'] : ['ci-2'];
  const e = expectedFigures(h.deployments, h.incidents, from, to, env, envRunners);
  assert.ok(e.total > 0 && e.p95 !== null, 'the window holds deployments');
  assert.equal(report.deployments.total, e.total);
  assert.equal(report.deployments.succeeded, e.succeeded);
  assert.equal(report.deployments.failed, e.failed);
  assert.equal(report.deployments.successRate, e.succeeded / (e.succeeded + e.failed));
  assert.equal(report.deployments.rollbacks, e.rollbacks);
  assert.equal(report.deployments.rollbackFailures, e.rollbackFailures);
  assert.deepEqual([report.durationMs.p50, report.durationMs.p95, report.durationMs.p99], [e.p50, e.p95, e.p99]);
  assert.equal(report.lockWaitMs.p95, e.lockP95);
  assert.ok(report.incidents.mttdMs !== null && e.mttd !== null && Math.abs(report.incidents.mttdMs - e.mttd) < 1e-6);
  assert.ok(report.incidents.mttrMs !== null && e.mttr !== null && Math.abs(report.incidents.mttrMs - e.mttr) < 1e-6);
  assert.equal(report.failovers.count, h.failoverAts.filter((t) => t >= from && t <= to).length);
  return report;
}

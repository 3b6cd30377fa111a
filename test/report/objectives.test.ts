/**
 * Objective verdicts at their boundaries, "no data" never counted as met,
 * and the nearest-rank percentile against a counting implementation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeReport, evaluateObjectives, percentile, type ReportInput } from '../../src/report/index.js';
import type { Deployment } from '../../src/store/index.js';
import { nearestRankByCounting } from './independent.js';
import { prng } from './seed.js';

const byId = (os: ReturnType<typeof evaluateObjectives>) => Object.fromEntries(os.map((o) => [o.id, o]));

test('a success rate of exactly 95 % meets the objective; one failure more does not', () => {
  assert.equal(byId(evaluateObjectives({ succeeded: 19, decided: 20, durationP95Ms: null, mttrMs: null }))['deploy-success-rate'].status, 'met');
  assert.equal(byId(evaluateObjectives({ succeeded: 1900, decided: 2000, durationP95Ms: null, mttrMs: null }))['deploy-success-rate'].status, 'met');
  assert.equal(byId(evaluateObjectives({ succeeded: 1899, decided: 2000, durationP95Ms: null, mttrMs: null }))['deploy-success-rate'].status, 'not-met');
});

test('a p95 duration of exactly 600 s meets the objective; 1 ms more does not', () => {
  assert.equal(byId(evaluateObjectives({ succeeded: 0, decided: 0, durationP95Ms: 600_000, mttrMs: null }))['deploy-duration-p95'].met, true);
  assert.equal(byId(evaluateObjectives({ succeeded: 0, decided: 0, durationP95Ms: 600_001, mttrMs: null }))['deploy-duration-p95'].met, false);
});

test('a mean time to recover of exactly 300 s meets the objective; more does not', () => {
  assert.equal(byId(evaluateObjectives({ succeeded: 0, decided: 0, durationP95Ms: null, mttrMs: 300_000 })).mttr.status, 'met');
  assert.equal(byId(evaluateObjectives({ succeeded: 0, decided: 0, durationP95Ms: null, mttrMs: 300_000.5 })).mttr.status, 'not-met');
});

test('an objective with no data says so and is not counted as met', () => {
  const empty: ReportInput = { window: { from: 0, to: 1000, environment: null }, deployments: [], incidents: [], audit: [], runners: [], locks: [] };
  const r = computeReport(empty);
  assert.deepEqual(r.objectives.map((o) => [o.status, o.met, o.actual]), [['no-data', false, null], ['no-data', false, null], ['no-data', false, null]]);
  assert.equal(r.objectivesMet, 0);
});

test('cancelled and unfinished deploys are left out of the rate and the durations', () => {
  const dep = (id: string, result: string | null, ms: number): Deployment => ({
    id, environment: 'prod', version: '1', digest: 'x', runner: null, actor: 'a', state: result ?? 'running', startedAt: 100, finishedAt: result === null ? null : 100 + ms,
    result, fencingToken: 1, error: null, lockWaitMs: null,
  });
  const r = computeReport({
    window: { from: 0, to: 10_000, environment: null }, incidents: [], audit: [], runners: [], locks: [],
    deployments: [dep('a', 'succeeded', 10), dep('b', 'cancelled', 9000), dep('c', null, 0), dep('d', 'rollback-failed', 20), dep('e', 'something-new', 30)],
  });
  assert.deepEqual(r.deployments, { total: 5, inProgress: 1, cancelled: 1, succeeded: 1, failed: 2, successRate: 1 / 3, rollbacks: 1, rollbackFailures: 1 });
  assert.deepEqual([r.durationMs.count, r.durationMs.p99], [3, 30]);
});

test('nearest-rank percentiles equal a counting implementation on random samples', () => {
  const rnd = prng(42);
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(rnd() * 60);
    const xs = Array.from({ length: n }, () => Math.floor(rnd() * 50));
    for (const p of [0, 1, 50, 90, 95, 99, 100]) assert.equal(percentile(xs, p), p === 0 ? Math.min(...xs) : nearestRankByCounting(xs, p), `p${p} of ${xs.join(',')}`);
  }
  assert.equal(percentile([], 95), null);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95), 95);
});

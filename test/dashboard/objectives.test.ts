import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectivesOver, percentile } from '../../src/server/dashboard/index.js';
import type { Deployment, Incident } from '../../src/store/index.js';

const NOW = Date.UTC(2026, 10, 26, 12);
const MIN = 60_000;

function dep(id: number, result: string | null, tookMs: number, daysAgo = 1): Deployment {
  const startedAt = NOW - daysAgo * 86_400_000;
  return { id: `d${id}`, environment: 'production', version: '1', digest: 'x', runner: 'r', actor: 'ci', state: 'done', startedAt, finishedAt: result === null ? null : startedAt + tookMs, result, fencingToken: 1, error: null, lockWaitMs: null };
}

function incident(openedMinAgo: number, tookMin: number | null): Incident {
  const openedAt = NOW - openedMinAgo * MIN;
  return { id: `i${openedMinAgo}`, kind: 'runner-offline', openedAt, detectedAt: openedAt, acknowledgedAt: null, resolvedAt: tookMin === null ? null : openedAt + tookMin * MIN, cause: 'x', environment: null, runner: 'r', deploymentId: null, resolutionNote: null };
}

test('percentiles are nearest-rank', () => {
  const values = [15, 20, 35, 40, 50];
  assert.equal(percentile(values, 5), 15);
  assert.equal(percentile(values, 30), 20);
  assert.equal(percentile(values, 40), 20);
  assert.equal(percentile(values, 50), 35);
  assert.equal(percentile(values, 100), 50);
  assert.equal(percentile([], 95), null);
});

test('without deployments or incidents every objective is no data, never met', () => {
  const w = objectivesOver([], [], NOW, 7);
  assert.deepEqual(w.verdicts, { successRate: 'no data', p95DurationMs: 'no data', mttrMs: 'no data' });
  assert.equal(w.successRate, null);
  assert.equal(w.p99DurationMs, null);
  assert.equal(w.rollbacks, 0);
});

test('success rate, duration and recovery are judged against 95 %, 10 min and 5 min over their window only', () => {
  const deps = [
    ...Array.from({ length: 19 }, (_, i) => dep(i, 'succeeded', (i + 1) * MIN)),
    dep(19, 'rolled-back', 12 * MIN),
    dep(20, null, 0),
    dep(21, 'failed', MIN, 20),
  ];
  const incidents = [incident(60, 4), incident(120, 8), incident(30, null), incident(20 * 1440, 100)];
  const week = objectivesOver(deps, incidents, NOW, 7);
  assert.equal(week.finished, 20);
  assert.equal(week.successRate, 19 / 20);
  assert.equal(week.verdicts.successRate, 'met');
  assert.equal(week.p50DurationMs, 10 * MIN);
  assert.equal(week.p95DurationMs, 18 * MIN);
  assert.equal(week.verdicts.p95DurationMs, 'missed');
  assert.equal(week.rollbacks, 1);
  assert.equal(week.mttrMs, 6 * MIN);
  assert.equal(week.verdicts.mttrMs, 'missed');
  const month = objectivesOver(deps, incidents, NOW, 30);
  assert.equal(month.finished, 21);
  assert.equal(month.verdicts.successRate, 'missed');
  assert.equal(month.resolvedIncidents, 3);
});

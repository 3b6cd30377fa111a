import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from '../../src/mask/masker.js';
import { deploySummary, failureOf, finalFailure, phaseOf } from '../../src/deploy/output/index.js';
import { newTargetReport, type DeployReport } from '../../src/deploy/report.js';

function report(): DeployReport {
  const t = { ...newTargetReport('web|1'), captured: '1.0.0-aaaaaaaaaaaa', final: '1.0.0-aaaaaaaaaaaa', staged: 'ok' as const, switched: 'ok' as const, restart: 'ok' as const, rolledBack: 'ok' as const };
  t.checks = [
    { check: 'health', kind: 'http', target: 'web|1', status: 'failed', attempts: 3, durationMs: 2400, detail: 'HTTP 500 with token hunter2-secret' },
    { check: 'port', kind: 'tcp', target: 'web|1', status: 'inconclusive', attempts: 2, durationMs: 40, detail: '127.0.0.1:3000: ECONNREFUSED (after 2 attempts)' },
  ];
  t.rollbackChecks = [{ check: 'health', kind: 'http', target: 'web|1', status: 'passed', attempts: 1, durationMs: 12, detail: 'answered 200' }];
  return {
    kind: 'deploy', environment: 'prod', deploymentId: 'd1', version: '2.0.0', releaseId: '2.0.0-bbbbbbbbbbbb', sha256: 'b'.repeat(64), fencingToken: 7,
    result: 'rolled-back', exitCode: 1, error: 'health check health failed on web|1', targets: [t], smokeTests: [], pruned: {}, recovered: [],
  };
}

test('the summary masks each cell before escaping its pipes, and lists every check with its outcome, attempts and duration, and every phase', () => {
  const masker = new SecretMasker();
  masker.register('hunter2-secret', 'TOKEN');
  const md = deploySummary(report(), { totalMs: 65_000, phases: [{ title: 'stage on 1 target', ms: 1500 }] }, masker);
  assert.ok(!md.includes('hunter2-secret'));
  assert.match(md, /^\| web\\\|1 \| 1\.0\.0-a{12} \| 1\.0\.0-a{12} \| ok \| ok \| ok \| health: \*\*failed\*\*<br>port: \*\*inconclusive\*\* \| ok \|$/m);
  assert.match(md, /^\| web\\\|1 \| health \| health \| \*\*failed\*\* \| 3 \| 2\.4 s \| HTTP 500 with token \*\*\* \|$/m);
  assert.match(md, /^\| web\\\|1 \| health \| port \| \*\*inconclusive\*\* \| 2 \| 40 ms \| 127\.0\.0\.1:3000: ECONNREFUSED \(after 2 attempts\) \|$/m);
  assert.match(md, /^\| web\\\|1 \| after rollback \| health \| passed \| 1 \| 12 ms \| answered 200 \|$/m);
  assert.match(md, /^\| stage on 1 target \| 1\.5 s \|$/m);
  assert.match(md, /^\| duration \| 1 min 5 s \|$/m);
});

test('the failure that triggers a rollback, a tolerated one, a failed rollback and the outcome are failures', () => {
  assert.equal(failureOf('health check h failed on web-3: ECONNREFUSED (after 4 attempts) — rolling back all 3 targets'), 'health check h failed on web-3: ECONNREFUSED (after 4 attempts)');
  assert.equal(failureOf('restart step failed on web-2: exit 1 — within batch.maxFailPercent (50%), putting web-2 back alone'), 'restart step failed on web-2: exit 1');
  assert.equal(failureOf('ROLLBACK FAILED on web-1: no release'), 'ROLLBACK FAILED on web-1: no release');
  assert.equal(failureOf('rolled back web-1 to 1.0.0-aaaaaaaaaaaa'), undefined);
  assert.equal(finalFailure(report()), 'deploy of prod rolled-back: health check health failed on web|1');
  assert.equal(finalFailure({ ...report(), result: 'succeeded', exitCode: 0, error: undefined }), undefined);
});

test('narration lines open phases by their opening words; outcome lines end them', () => {
  assert.deepEqual(phaseOf('staging 2.0.0-bbbbbbbbbbbb on 3 targets'), { kind: 'phase', title: 'stage on 3 targets' });
  assert.deepEqual(phaseOf('switching batch 1/2: web-1, web-2'), { kind: 'phase', title: 'switch batch 1/2' });
  assert.deepEqual(phaseOf('rolling back 3 targets of prod from 2.0.0-bbbbbbbbbbbb'), { kind: 'phase', title: 'rollback' });
  assert.deepEqual(phaseOf('every target of prod is back on its previous release'), { kind: 'end' });
  assert.equal(phaseOf('rolled back web-1 to 1.0.0-aaaaaaaaaaaa'), undefined);
});

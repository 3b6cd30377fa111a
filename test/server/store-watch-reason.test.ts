import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultLabel, rollbackReason } from '../../src/server/store-watch-reason.js';
import type { JournalEvent } from '../../src/store/index.js';

let seq = 0;
function ev(step: string, phase: string, detail: string | null = null): JournalEvent {
  seq += 1;
  return { deploymentId: 'd', seq, step, target: 'web-1', phase, detail, fencingToken: 1, at: seq };
}
const plan = (kind: string) => ev('plan', 'started', JSON.stringify({ kind, releaseId: 'r', targets: ['web-1'] }));
const rolledBack = (error: string | null, state = 'rolled-back') => ({ error, state });

test('the result label follows the report: succeeded, cancelled, everything else failed', () => {
  assert.deepEqual(['succeeded', 'cancelled', 'rolled-back', 'rollback-failed', 'interrupted', 'completed'].map(resultLabel), [
    'succeeded', 'cancelled', 'failed', 'failed', 'failed', 'failed',
  ]);
});

test('the first failed forward step decides the rollback reason', () => {
  assert.equal(rollbackReason(rolledBack('x'), [plan('deploy'), ev('health', 'failed', 'timeout'), ev('smoke', 'failed')]), 'health_check');
  assert.equal(rollbackReason(rolledBack('x'), [plan('deploy'), ev('smoke', 'failed', 'boom'), ev('rollback.health', 'failed')]), 'smoke_test');
  assert.equal(rollbackReason(rolledBack('x'), [plan('deploy'), ev('stage', 'failed', 'stopped by signal SIGTERM')]), 'interrupted');
  assert.equal(rollbackReason(rolledBack('x'), [plan('deploy'), ev('rollback.health', 'failed'), ev('stage', 'failed', 'disk full')]), 'step_failed');
});

test('checks that ran but failed are read from the recorded error', () => {
  assert.equal(rollbackReason(rolledBack('health check http failed on web-2: 503'), [plan('deploy')]), 'health_check');
  assert.equal(rollbackReason(rolledBack('smoke test login failed: 500'), [plan('deploy')]), 'smoke_test');
  assert.equal(rollbackReason(rolledBack('interrupted by SIGINT'), [plan('deploy')]), 'interrupted');
  assert.equal(rollbackReason(rolledBack('restart step failed on web-1: exit 1'), [plan('deploy')]), 'step_failed');
});

test('a deploy finished by recovery was interrupted; a pitcrew rollback is manual', () => {
  assert.equal(rollbackReason(rolledBack(null, 'interrupted'), [plan('deploy'), ev('recover', 'started')]), 'interrupted');
  assert.equal(rollbackReason(rolledBack('restart step failed on web-1'), [plan('rollback')]), 'manual');
  assert.equal(rollbackReason(rolledBack('health check http failed on web-1: 503'), [plan('rollback')]), 'health_check');
});

/**
 * Contract for GitHub Actions jobs recorded from webhooks: queue time and
 * duration derived from the instants, late or repeated deliveries never
 * erasing what is known, listing by runner and run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowJobInput } from '../../src/store/records.js';
import { T0, withStore, type StoreHarness } from './harness.js';

/** GitHub job ids pass 2^31: the column must hold them. */
const BIG_ID = 29_123_456_789;

const job = (fields: Partial<WorkflowJobInput> = {}): WorkflowJobInput => ({
  jobId: BIG_ID, runId: 12_000_000_001, runAttempt: 1, repository: 'acme/shop', name: 'deploy', workflow: 'Deploy', runner: null,
  status: 'queued', conclusion: null, createdAt: T0, startedAt: null, completedAt: null, ...fields,
});

export function jobsContract(name: string, make: () => Promise<StoreHarness>, skip: string | undefined): void {
  test(`${name}: a job's queue time and duration come from its deliveries, in any order and more than once`, { skip }, async () => {
    await withStore(make, async (store) => {
      const queued = await store.recordWorkflowJob(job(), T0 + 1);
      assert.equal(queued.queueMs, null);
      const started = await store.recordWorkflowJob(job({ status: 'in_progress', runner: 'primary', startedAt: T0 + 4000 }), T0 + 4001);
      assert.equal(started.queueMs, 4000);
      assert.equal(started.durationMs, null);
      const done = await store.recordWorkflowJob(job({ status: 'completed', runner: 'primary', conclusion: 'success', startedAt: T0 + 4000, completedAt: T0 + 64_000 }), T0 + 64_001);
      assert.equal(done.durationMs, 60_000);
      // A late in_progress redelivery does not move the job back nor lose its conclusion.
      const late = await store.recordWorkflowJob(job({ status: 'in_progress', runner: 'primary', startedAt: T0 + 4000 }), T0 + 70_000);
      assert.equal(late.status, 'completed');
      assert.equal(late.conclusion, 'success');
      assert.equal(late.durationMs, 60_000);
      const [listed] = await store.listWorkflowJobs({ runner: 'primary' });
      assert.deepEqual({ ...listed, updatedAt: 0 }, { ...job({ status: 'completed', runner: 'primary', conclusion: 'success', startedAt: T0 + 4000, completedAt: T0 + 64_000 }), queueMs: 4000, durationMs: 60_000, updatedAt: 0 });
    });
  });

  test(`${name}: jobs are listed most recently updated first, by runner or run, with a limit`, { skip }, async () => {
    await withStore(make, async (store) => {
      await store.recordWorkflowJob(job({ jobId: 1, runId: 10, runner: 'primary', status: 'in_progress', startedAt: T0 + 1 }), T0 + 10);
      await store.recordWorkflowJob(job({ jobId: 2, runId: 10, runner: 'secondary', status: 'in_progress', startedAt: T0 + 2 }), T0 + 20);
      await store.recordWorkflowJob(job({ jobId: 3, runId: 11, runner: 'primary', status: 'in_progress', startedAt: T0 + 3 }), T0 + 30);
      assert.deepEqual((await store.listWorkflowJobs()).map((j) => j.jobId), [3, 2, 1]);
      assert.deepEqual((await store.listWorkflowJobs({ runner: 'primary' })).map((j) => j.jobId), [3, 1]);
      assert.deepEqual((await store.listWorkflowJobs({ runId: 10 })).map((j) => j.jobId), [2, 1]);
      assert.deepEqual((await store.listWorkflowJobs({ limit: 1 })).map((j) => j.jobId), [3]);
    });
  });
}

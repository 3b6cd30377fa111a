/**
 * Adds `workflow_jobs`: each GitHub Actions job the server heard of through
 * its `workflow_job` webhooks, with the runner that ran it, when it was
 * queued, started and completed, and its queue time and duration, so they
 * can be listed per runner. Keyed by GitHub's job id (a re-run is a new job).
 */
import type { Kysely, Migration } from 'kysely';

export function workflowJobs(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('workflow_jobs')
        .addColumn('job_id', 'bigint', (c) => c.primaryKey())
        .addColumn('run_id', 'bigint', (c) => c.notNull())
        .addColumn('run_attempt', 'integer', (c) => c.notNull())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('workflow', 'text')
        .addColumn('runner', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('created_at', 'bigint')
        .addColumn('started_at', 'bigint')
        .addColumn('completed_at', 'bigint')
        .addColumn('queue_ms', 'bigint')
        .addColumn('duration_ms', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workflow_jobs_runner_started').on('workflow_jobs').columns(['runner', 'started_at']).execute();
      await db.schema.createIndex('workflow_jobs_run').on('workflow_jobs').columns(['run_id', 'run_attempt']).execute();
    },
  };
}

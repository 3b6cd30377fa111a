/**
 * GitHub Actions jobs as their webhooks told them: one row per job id,
 * updated as the job is queued, starts and completes. Queue time and duration
 * are derived here from the recorded instants, never supplied by the caller.
 * A delivery arriving late or twice never erases a known instant.
 */
import type { Selectable } from 'kysely';
import { guarded, type Ctx } from './context.js';
import type { WorkflowJobFilter, WorkflowJobInput, WorkflowJobRecord } from './records.js';
import type { WorkflowJobsTable } from './schema.js';

function toRecord(r: Selectable<WorkflowJobsTable>): WorkflowJobRecord {
  return {
    jobId: r.job_id,
    runId: r.run_id,
    runAttempt: r.run_attempt,
    repository: r.repository,
    name: r.name,
    workflow: r.workflow,
    runner: r.runner,
    status: r.status,
    conclusion: r.conclusion,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    queueMs: r.queue_ms,
    durationMs: r.duration_ms,
    updatedAt: r.updated_at,
  };
}

const STATUS_ORDER: Record<string, number> = { queued: 0, waiting: 0, in_progress: 1, completed: 2 };

export async function recordWorkflowJob(ctx: Ctx, job: WorkflowJobInput, now: number): Promise<WorkflowJobRecord> {
  guarded(ctx, job.name, 'workflow_jobs.name');
  guarded(ctx, job.workflow, 'workflow_jobs.workflow');
  return await ctx.backend.writeTx(async (trx) => {
    const old = await trx.selectFrom('workflow_jobs').selectAll().where('job_id', '=', job.jobId).executeTakeFirst();
    // A late `in_progress` after `completed` must not move the job back.
    const newer = old === undefined || (STATUS_ORDER[job.status] ?? 0) >= (STATUS_ORDER[old.status] ?? 0);
    const createdAt = job.createdAt ?? old?.created_at ?? null;
    const startedAt = job.startedAt ?? old?.started_at ?? null;
    const completedAt = job.completedAt ?? old?.completed_at ?? null;
    const row = {
      run_id: job.runId,
      run_attempt: job.runAttempt,
      repository: job.repository,
      name: job.name,
      workflow: job.workflow ?? old?.workflow ?? null,
      runner: job.runner ?? old?.runner ?? null,
      status: newer ? job.status : (old?.status ?? job.status),
      conclusion: newer ? (job.conclusion ?? old?.conclusion ?? null) : (old?.conclusion ?? null),
      created_at: createdAt,
      started_at: startedAt,
      completed_at: completedAt,
      queue_ms: createdAt !== null && startedAt !== null ? Math.max(0, startedAt - createdAt) : null,
      duration_ms: startedAt !== null && completedAt !== null ? Math.max(0, completedAt - startedAt) : null,
      updated_at: now,
    };
    if (old === undefined) await trx.insertInto('workflow_jobs').values({ job_id: job.jobId, ...row }).execute();
    else await trx.updateTable('workflow_jobs').set(row).where('job_id', '=', job.jobId).execute();
    return toRecord({ job_id: job.jobId, ...row });
  });
}

export async function listWorkflowJobs(ctx: Ctx, filter: WorkflowJobFilter = {}): Promise<WorkflowJobRecord[]> {
  let q = ctx.backend.db.selectFrom('workflow_jobs').selectAll();
  if (filter.runner !== undefined) q = q.where('runner', '=', filter.runner);
  if (filter.runId !== undefined) q = q.where('run_id', '=', filter.runId);
  const rows = await q.orderBy('updated_at', 'desc').orderBy('job_id', 'desc').limit(filter.limit ?? 100).execute();
  return rows.map(toRecord);
}

/**
 * Acts on GitHub `workflow_job` events: records each job's queue time and
 * duration (store and metrics), tracks which job each runner runs, and when
 * a job completes failed on a runner the fleet saw go offline during it
 * (decision: src/fleet/failover.ts), hands its run to the run failover
 * (src/server/run-failover.ts), which re-runs the run's failed jobs if the
 * environment has autoRerun and frees the deploy locks that runner held.
 *
 * Must never re-run a job without decideRerun saying so, nor the same attempt
 * twice (deliveries can arrive more than once, and the fleet may already have
 * failed the run over when it saw the runner go offline).
 */
import { decideRerun } from '../fleet/failover.js';
import type { WorkflowJobEvent } from '../github/webhook.js';
import type { ServerContext } from './context.js';
import type { RunFailover } from './run-failover.js';

export interface FailoverOutcome {
  action: 'tracked' | 'rerun' | 'not-rerun' | 'rerun-failed' | 'failover-started';
  reason?: string;
}

/** How long a delivery's answer waits for the run failover it started. */
export const WEBHOOK_ANSWER_WAIT_MS = 5000;

export function createJobFailover(s: ServerContext, runs: RunFailover, answerWaitMs = WEBHOOK_ANSWER_WAIT_MS) {
  /** Jobs re-run one by one by earlier versions (audit `job.rerun`), never re-run again. */
  const rerunDone = new Set<string>();
  const key = (jobId: number, attempt: number) => `${jobId}:${attempt}`;

  async function loadPastReruns(): Promise<void> {
    for (const a of await s.store.listAudit({ action: 'job.rerun', limit: 1000 })) rerunDone.add(a.target);
    await runs.loadPast();
  }

  async function handle(event: WorkflowJobEvent): Promise<FailoverOutcome> {
    const { job } = event;
    const runner = job.runnerName;
    await record(event);
    if (event.action === 'in_progress' && runner) {
      s.fleet.noteGithubJob(runner, {
        name: job.name, jobId: job.id, runId: job.runId, runAttempt: job.runAttempt, workflow: job.workflowName, repository: event.repository, startedAt: job.startedAt,
      });
      return { action: 'tracked' };
    }
    if (event.action !== 'completed') return { action: 'tracked' };
    if (runner && s.fleet.view(runner)?.currentJob?.jobId === job.id) s.fleet.noteGithubJob(runner, null);
    runs.jobCompleted(job.runId);

    const decision = decideRerun(job, {
      runnerHistory: (name) => s.fleet.history(name),
      alreadyRerun: (id, attempt) => rerunDone.has(key(id, attempt)) || runs.wasHandled(job.runId, attempt),
    });
    if (!decision.rerun) {
      if (job.conclusion === 'failure' || job.conclusion === 'cancelled') s.log('failed job not re-run', { jobId: job.id, runner, reason: decision.reason });
      return { action: 'not-rerun', reason: decision.reason };
    }
    const started = runs.start({
      runner: runner ?? 'unknown', runId: job.runId, attempt: job.runAttempt, repository: event.repository, job: job.name, reason: decision.reason, cancel: false,
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), answerWaitMs);
    });
    const result = await Promise.race([started, late]);
    clearTimeout(timer);
    if (!result) return { action: 'failover-started', reason: decision.reason };
    if (result.action === 'rerun') return { action: 'rerun', reason: result.reason };
    return { action: result.action === 'failed' ? 'rerun-failed' : 'not-rerun', reason: result.reason };
  }

  /** Stores the job's instants; a completed job's queue time and duration go to the metrics. */
  async function record(event: WorkflowJobEvent): Promise<void> {
    const { job } = event;
    const at = (iso: string | null) => {
      const ms = iso ? Date.parse(iso) : NaN;
      return Number.isNaN(ms) ? null : ms;
    };
    try {
      const stored = await s.store.recordWorkflowJob(
        {
          jobId: job.id, runId: job.runId, runAttempt: job.runAttempt, repository: event.repository, name: job.name, workflow: job.workflowName,
          runner: job.runnerName, status: job.status, conclusion: job.conclusion, createdAt: at(job.createdAt), startedAt: at(job.startedAt),
          completedAt: event.action === 'completed' ? at(job.completedAt) : null,
        },
        s.now(),
      );
      if (event.action === 'in_progress' && stored.runner && stored.queueMs !== null) s.metrics.jobQueued(stored.runner, stored.queueMs);
      if (event.action === 'completed' && stored.runner && stored.durationMs !== null) s.metrics.jobFinished(stored.runner, stored.durationMs);
    } catch (err) {
      s.log('recording the job failed', { jobId: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  return { handle, loadPastReruns };
}

export type JobFailover = ReturnType<typeof createJobFailover>;

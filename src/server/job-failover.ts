/**
 * Acts on GitHub `workflow_job` events: tracks which job each runner runs,
 * and when a job completes failed on a runner the fleet saw go offline during
 * it, asks GitHub to re-run it (decision: src/fleet/failover.ts), frees the
 * deploy locks that runner held, and records both in the audit log.
 *
 * Must never re-run a job without decideRerun saying so, nor the same attempt
 * twice (deliveries can arrive more than once).
 */
import { decideRerun } from '../fleet/failover.js';
import type { WorkflowJobEvent } from '../github/webhook.js';
import type { ServerContext } from './context.js';

export const SERVER_ACTOR = 'pitcrew-server';

export interface FailoverOutcome {
  action: 'tracked' | 'rerun' | 'not-rerun' | 'rerun-failed';
  reason?: string;
}

export function createJobFailover(s: ServerContext) {
  const rerunDone = new Set<string>();
  const key = (jobId: number, attempt: number) => `${jobId}:${attempt}`;

  async function loadPastReruns(): Promise<void> {
    for (const a of await s.store.listAudit({ action: 'job.rerun', limit: 1000 })) rerunDone.add(a.target);
  }

  async function handle(event: WorkflowJobEvent): Promise<FailoverOutcome> {
    const { job } = event;
    const runner = job.runnerName;
    if (event.action === 'in_progress' && runner) {
      s.fleet.noteGithubJob(runner, { name: job.name, jobId: job.id, runId: job.runId, workflow: job.workflowName, repository: event.repository, startedAt: job.startedAt });
      return { action: 'tracked' };
    }
    if (event.action !== 'completed') return { action: 'tracked' };
    if (runner) s.fleet.noteGithubJob(runner, null);

    const decision = decideRerun(job, {
      runnerHistory: (name) => s.fleet.history(name),
      alreadyRerun: (id, attempt) => rerunDone.has(key(id, attempt)),
    });
    if (!decision.rerun) {
      if (job.conclusion === 'failure' || job.conclusion === 'cancelled') s.log('failed job not re-run', { jobId: job.id, runner, reason: decision.reason });
      return { action: 'not-rerun', reason: decision.reason };
    }
    const target = key(job.id, job.runAttempt);
    if (!s.github) {
      s.log('job should be re-run but no GitHub access is configured', { jobId: job.id, runner, reason: decision.reason });
      await s.store.appendAudit({ at: s.now(), actor: SERVER_ACTOR, action: 'job.rerun-skipped', target, detail: `${decision.reason}; no github section in the configuration` });
      return { action: 'rerun-failed', reason: 'no GitHub access configured' };
    }
    rerunDone.add(target);
    try {
      await s.github.rerunJob(job.id);
    } catch (err) {
      rerunDone.delete(target);
      const message = err instanceof Error ? err.message : String(err);
      s.log('re-running the job failed', { jobId: job.id, runner, error: message });
      await s.store.appendAudit({ at: s.now(), actor: SERVER_ACTOR, action: 'job.rerun-failed', target, detail: message });
      return { action: 'rerun-failed', reason: message };
    }
    await s.store.appendAudit({ at: s.now(), actor: SERVER_ACTOR, action: 'job.rerun', target, detail: decision.reason });
    const environments = await releaseLocksOf(runner ?? '', decision.reason);
    const envLabel = environments[0] ?? s.fleet.view(runner ?? '')?.environments.join(',') ?? 'unknown';
    s.metrics.failover(envLabel || 'unknown');
    s.log('job re-run after its runner went offline', { jobId: job.id, runner, environments, reason: decision.reason });
    return { action: 'rerun', reason: decision.reason };
  }

  /** Breaks the locks the lost runner held, so the re-run does not wait out the lease. */
  async function releaseLocksOf(runner: string, reason: string): Promise<string[]> {
    const released: string[] = [];
    for (const env of s.fleet.view(runner)?.environments ?? []) {
      const status = await s.store.lockStatus(env, s.now());
      if (status.holder?.runner !== runner) continue;
      await s.store.forceReleaseLock(env, SERVER_ACTOR, `holder's runner ${runner} went offline: ${reason}`, s.now());
      released.push(env);
    }
    return released;
  }

  return { handle, loadPastReruns };
}

export type JobFailover = ReturnType<typeof createJobFailover>;

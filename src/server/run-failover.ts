/**
 * Failover of a workflow run whose runner was lost: cancels the run, waits
 * until GitHub reports it completed, then re-runs its failed jobs, so the
 * lost job is queued for the other runners at once instead of after GitHub's
 * own timeout. Started when the fleet sees a runner go offline while it runs
 * a job (src/server/fleet-monitor.ts onLost), or when GitHub reports a job
 * failed on a runner that went offline (src/server/job-failover.ts).
 *
 * A runner reported offline must still be offline `confirmMs` later (an agent
 * restarting is not a lost runner). Only for environments with
 * `autoRerun: true`, at most `maxReruns` times per
 * run, once per run attempt. Every act is in the audit log (`run.cancel`,
 * `run.rerun`, and `run.rerun-skipped` / `run.cancel-failed` /
 * `run.rerun-failed` with the reason); re-runs and skips are read back from
 * the audit log at start, so a restart does not reset the counts. Audit targets are
 * `RUN_ID:ATTEMPT`.
 *
 * Must never cancel or re-run a run for an environment without autoRerun,
 * never act twice on one run attempt (deliveries arrive twice, and both the
 * agent and GitHub report a lost job), and never wait unboundedly.
 */
import { GitHubApiError } from '../github/client.js';
import type { WorkflowRun } from '../github/payloads.js';
import type { ServerContext } from './context.js';
import type { RunnerJob } from './fleet-monitor.js';

export const FAILOVER_ACTOR = 'pitcrew-server';

/** Waits between looks at a cancelled run, then the last one repeats. */
export const DEFAULT_WAIT_STEPS_MS = [1000, 2000, 4000, 8000, 15_000] as const;
/** Longest wait for a cancelled run to complete. */
export const DEFAULT_WAIT_LIMIT_MS = 10 * 60_000;
/** A runner seen offline must still be offline this much later before its run is cancelled (an agent restart is not a loss). */
export const DEFAULT_CONFIRM_MS = 5000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface RunFailoverOptions {
  confirmMs?: number;
  waitStepsMs?: readonly number[];
  waitLimitMs?: number;
  sleep?: Sleep;
}

export interface LostRun {
  runner: string;
  runId: number;
  /** Unknown when only the agent reported the job without GITHUB_RUN_ATTEMPT: read from GitHub. */
  attempt?: number;
  /** `owner/repo`, when the report said. */
  repository?: string;
  job: string;
  /** Why the runner counts as lost. */
  reason: string;
  /** The run still runs (offline seen first): it is cancelled. Otherwise GitHub already failed the job. */
  cancel: boolean;
}

export interface FailoverResult {
  action: 'rerun' | 'skipped' | 'failed';
  reason: string;
}

const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

export function createRunFailover(s: ServerContext, opts: RunFailoverOptions = {}) {
  const steps = opts.waitStepsMs ?? DEFAULT_WAIT_STEPS_MS;
  const waitLimit = opts.waitLimitMs ?? DEFAULT_WAIT_LIMIT_MS;
  const confirmMs = opts.confirmMs ?? DEFAULT_CONFIRM_MS;
  const sleep = opts.sleep ?? defaultSleep;
  const stopping = new AbortController();
  /** Run attempts already acted on (or deliberately left alone): `RUN:ATTEMPT`. */
  const handled = new Set<string>();
  /** Re-runs asked per run id. */
  const reruns = new Map<number, number>();
  /** Runs being failed over now; a second report of the same run joins the first. */
  const active = new Map<number, Promise<FailoverResult>>();
  /** Wakes the wait of a run when GitHub reports one of its jobs completed. */
  const wakers = new Map<number, () => void>();
  const pending = new Set<Promise<unknown>>();

  async function loadPast(): Promise<void> {
    // A run cancelled but not yet re-run when the server stopped is not done: GitHub's job-completed delivery resumes it.
    for (const action of ['run.rerun', 'run.rerun-skipped']) {
      for (const a of await s.store.listAudit({ action, limit: 5000 })) {
        const m = /^(\d+):(\d+)$/.exec(a.target);
        if (!m) continue;
        handled.add(a.target);
        if (action === 'run.rerun') reruns.set(Number(m[1]), (reruns.get(Number(m[1])) ?? 0) + 1);
      }
    }
  }

  const wasHandled = (runId: number, attempt: number) => handled.has(`${runId}:${attempt}`);

  /** Starts the failover of a lost run in the background; the promise is for tests and the webhook answer. */
  function start(lost: LostRun): Promise<FailoverResult> {
    const running = active.get(lost.runId);
    if (running) return running;
    const p = failover(lost).catch((err: unknown): FailoverResult => {
      const message = err instanceof Error ? err.message : String(err);
      s.log('run failover failed', { runId: lost.runId, error: message });
      return { action: 'failed', reason: message };
    });
    active.set(lost.runId, p);
    const tracked = p.finally(() => {
      active.delete(lost.runId);
      pending.delete(tracked);
    });
    pending.add(tracked);
    return p;
  }

  /** The fleet saw `runner` go offline while it ran `job`. */
  function onRunnerLost(runner: string, job: RunnerJob, reasons: string[]): void {
    const reason = `runner ${runner} went offline while running job ${job.name} (${reasons.join('; ')})`;
    if (job.runId === undefined) {
      s.log('a job was lost with its runner, but its run is unknown: left to GitHub', { runner, job: job.name });
      void audit('run.rerun-skipped', `runner/${runner}`, `${reason}; the run id is unknown (no webhook or hook report named it)`);
      return;
    }
    void start({ runner, runId: job.runId, attempt: job.runAttempt, repository: job.repository, job: job.name, reason, cancel: true });
  }

  /** GitHub reported a job of `runId` completed: a wait on that run looks again now. */
  function jobCompleted(runId: number): void {
    wakers.get(runId)?.();
  }

  async function failover(lost: LostRun): Promise<FailoverResult> {
    const { runner, runId } = lost;
    const skip = async (target: string, why: string, final = true): Promise<FailoverResult> => {
      if (final) handled.add(target);
      s.log('lost run not re-run', { runner, runId, reason: why });
      await audit('run.rerun-skipped', target, `${lost.reason}; not re-run: ${why}`);
      return { action: 'skipped', reason: why };
    };
    if (lost.attempt !== undefined && wasHandled(runId, lost.attempt)) return { action: 'skipped', reason: `attempt ${lost.attempt} of run ${runId} was already handled` };

    const env = await environmentOf(runner);
    const provisional = `${runId}:${lost.attempt ?? 0}`;
    if (!env.name) return skip(provisional, env.why);
    const environment = s.config.environments[env.name];
    if (!environment.autoRerun) return skip(provisional, `autoRerun is off for environment ${env.name}`);
    const done = reruns.get(runId) ?? 0;
    if (done >= environment.maxReruns) return skip(provisional, `run ${runId} was already re-run ${done} times (maxReruns ${environment.maxReruns} for ${env.name})`);
    const github = s.github;
    if (!github) return skip(provisional, 'no GitHub access is configured (github section and its token)', false);
    const configured = `${github.owner}/${github.repo}`;
    if (lost.repository && lost.repository.toLowerCase() !== configured.toLowerCase()) {
      return skip(provisional, `the run belongs to ${lost.repository}, the server's GitHub access is for ${configured}`);
    }

    if (lost.cancel && confirmMs > 0) {
      await sleep(confirmMs, stopping.signal);
      if (stopping.signal.aborted) return skip(provisional, 'the server stopped before the loss was confirmed', false);
      const now = s.fleet.view(runner)?.state;
      if (now !== 'offline') return skip(provisional, `runner ${runner} was ${now ?? 'unknown'} again ${confirmMs} ms later: not lost`, false);
    }
    let run = await github.getRun(runId);
    const target = `${runId}:${run.runAttempt}`;
    if (wasHandled(runId, run.runAttempt)) return { action: 'skipped', reason: `attempt ${run.runAttempt} of run ${runId} was already handled` };
    if (lost.attempt !== undefined && run.runAttempt !== lost.attempt) {
      return skip(target, `run ${runId} is at attempt ${run.runAttempt}, the lost job was in attempt ${lost.attempt}: it was re-run already`);
    }
    handled.add(target);

    if (run.status !== 'completed') {
      try {
        await github.cancelRun(runId);
      } catch (err) {
        // 409: the run completed between the look and the cancel; re-running it is still right.
        if (!(err instanceof GitHubApiError && err.status === 409)) return fail('run.cancel-failed', target, err);
      }
      await audit('run.cancel', target, `${lost.reason}; cancelled run ${runId} (attempt ${run.runAttempt}, ${run.status}) of environment ${env.name}`);
      s.log('run cancelled after its runner was lost', { runner, runId, environment: env.name });
      const waited = await waitCompleted(runId);
      if (!waited.completed) {
        return fail('run.rerun-failed', target, new Error(`run ${runId} was still ${waited.status} ${Math.round(waitLimit / 1000)} s after the cancel`));
      }
      run = waited.run;
    }
    if (run.conclusion === 'success') return skip(target, `run ${runId} concluded success: no job failed`);

    await releaseLocksOf(runner, lost.reason);
    try {
      await github.rerunFailedJobs(runId);
    } catch (err) {
      return fail('run.rerun-failed', target, err);
    }
    const count = done + 1;
    reruns.set(runId, count);
    const why = `${lost.reason}; re-ran the failed jobs of run ${runId} (attempt ${run.runAttempt + 1}; re-run ${count} of at most ${environment.maxReruns} for ${env.name})`;
    await audit('run.rerun', target, why);
    s.metrics.failover(env.name);
    s.log('failed jobs re-run after their runner was lost', { runner, runId, environment: env.name, rerun: count });
    return { action: 'rerun', reason: why };

    /** Audits a step GitHub refused; the attempt is not handled, so GitHub's job-completed delivery can try again. */
    async function fail(action: string, where: string, err: unknown): Promise<FailoverResult> {
      handled.delete(where);
      const message = err instanceof Error ? err.message : String(err);
      s.log('run failover step failed', { runner, runId, action, error: message });
      await audit(action, where, `${lost.reason}; ${message}`);
      return { action: 'failed', reason: message };
    }
  }

  /** Looks at the run with growing waits (woken early by a job-completed webhook) until it completed or the limit passed. */
  async function waitCompleted(runId: number): Promise<{ completed: true; run: WorkflowRun } | { completed: false; status: string }> {
    const github = s.github!;
    const deadline = s.now() + waitLimit;
    let status = 'unknown';
    for (let i = 0; !stopping.signal.aborted && s.now() < deadline; i++) {
      const wake = new AbortController();
      const onStop = () => wake.abort();
      stopping.signal.addEventListener('abort', onStop, { once: true });
      wakers.set(runId, () => wake.abort());
      try {
        await sleep(Math.min(steps[Math.min(i, steps.length - 1)], Math.max(0, deadline - s.now())), wake.signal);
      } finally {
        wakers.delete(runId);
        stopping.signal.removeEventListener('abort', onStop);
      }
      if (stopping.signal.aborted) break;
      const run = await github.getRun(runId);
      status = run.status;
      if (run.status === 'completed') return { completed: true, run };
    }
    return { completed: false, status: stopping.signal.aborted ? `${status} when the server stopped` : status };
  }

  /** The environment the lost job deployed to: the one whose lock the runner holds, else its first with autoRerun. */
  async function environmentOf(runner: string): Promise<{ name?: string; why: string }> {
    const envs = s.fleet.view(runner)?.environments ?? [];
    for (const env of envs) {
      if ((await s.store.lockStatus(env, s.now())).holder?.runner === runner) return { name: env, why: 'holds its lock' };
    }
    if (envs.length === 0) return { why: `runner ${runner} may deploy to no environment` };
    const auto = envs.find((e) => s.config.environments[e]?.autoRerun);
    return { name: auto ?? envs[0], why: 'one of its environments' };
  }

  /** Breaks the locks the lost runner held, so the re-run does not wait out the lease. */
  async function releaseLocksOf(runner: string, reason: string): Promise<string[]> {
    const released: string[] = [];
    for (const env of s.fleet.view(runner)?.environments ?? []) {
      const status = await s.store.lockStatus(env, s.now());
      if (status.holder?.runner !== runner) continue;
      await s.store.forceReleaseLock(env, FAILOVER_ACTOR, `holder's runner ${runner} went offline: ${reason}`, s.now());
      released.push(env);
    }
    return released;
  }

  async function audit(action: string, target: string, detail: string): Promise<void> {
    try {
      await s.store.appendAudit({ at: s.now(), actor: FAILOVER_ACTOR, action, target, detail });
    } catch (err) {
      s.log('audit write failed', { action, target, error: err instanceof Error ? err.message : String(err) });
    }
  }

  return {
    loadPast,
    onRunnerLost,
    jobCompleted,
    start,
    wasHandled,
    releaseLocksOf,
    /** Resolves when every failover started so far has finished. */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    /** Ends the waits (a waiting failover records that the server stopped) and waits for the failovers. */
    async stop(): Promise<void> {
      stopping.abort();
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type RunFailover = ReturnType<typeof createRunFailover>;

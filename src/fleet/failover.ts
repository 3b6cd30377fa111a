/**
 * Decides whether a finished GitHub Actions job failed because its runner died,
 * and so should be re-run on another runner. Pure: the caller passes the job
 * and what the control plane knows about the runner's health over time.
 *
 * A job is re-run only when the evidence says the runner was lost: the runner
 * was seen offline while the job ran, or at (or just after) completion, which
 * is how "The self-hosted runner ... lost communication with the server" looks
 * from outside. Must never re-run a job that failed on a healthy runner (that
 * is a real failure), nor re-run the same attempt twice, nor go past
 * maxAttempts. Without health history for the runner, it does not re-run.
 */

/** Runner health as the control plane records it. */
export type RunnerHealth = 'online' | 'degraded' | 'offline';

/** One recorded health change: from `atMs` on, the runner was `state`. */
export interface RunnerStateChange {
  atMs: number;
  state: RunnerHealth;
}

/** The fields of a workflow job the decision reads (a WorkflowJob from src/github/payloads.ts fits). */
export interface RerunCandidate {
  id: number;
  runAttempt: number;
  status: string;
  conclusion: string | null;
  runnerName: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface RerunContext {
  /** The runner's health changes, in any order; empty when pitcrew never saw the runner. */
  runnerHistory(runnerName: string): readonly RunnerStateChange[];
  /** Whether pitcrew already asked GitHub to re-run this job's attempt. */
  alreadyRerun(jobId: number, attempt: number): boolean;
  /** Highest attempt number a re-run may create. Default 3. */
  maxAttempts?: number;
  /** How long after completion an offline report still counts (detection lag). Default 30 s. */
  graceMs?: number;
}

export interface RerunDecision {
  rerun: boolean;
  reason: string;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_GRACE_MS = 30_000;

const RERUNNABLE_CONCLUSIONS = new Set(['failure', 'cancelled']);

/** Whether to re-run a completed job, and why (the reason goes to the journal and the audit log). */
export function decideRerun(job: RerunCandidate, ctx: RerunContext): RerunDecision {
  const maxAttempts = ctx.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const graceMs = ctx.graceMs ?? DEFAULT_GRACE_MS;
  const no = (reason: string): RerunDecision => ({ rerun: false, reason });

  if (job.status !== 'completed') return no(`job ${job.id} is ${job.status}, not completed`);
  if (!job.conclusion || !RERUNNABLE_CONCLUSIONS.has(job.conclusion)) {
    return no(`job ${job.id} concluded ${job.conclusion ?? 'without a conclusion'}; only failure or cancelled can come from a lost runner`);
  }
  if (!job.runnerName) return no(`job ${job.id} never ran on a runner`);
  if (ctx.alreadyRerun(job.id, job.runAttempt)) return no(`attempt ${job.runAttempt} of job ${job.id} was already re-run`);
  if (job.runAttempt >= maxAttempts) {
    return no(`job ${job.id} is at attempt ${job.runAttempt}, the maximum is ${maxAttempts}`);
  }

  const started = parseTime(job.startedAt);
  const completed = parseTime(job.completedAt);
  if (started === undefined || completed === undefined) {
    return no(`job ${job.id} has no valid started_at/completed_at, so its runner's health during the job is unknown`);
  }
  const history = [...ctx.runnerHistory(job.runnerName)].sort((a, b) => a.atMs - b.atMs);
  if (history.length === 0) return no(`no health history for runner ${job.runnerName}; a real failure cannot be ruled out`);
  if (history[0].atMs > started) {
    return no(`health history for runner ${job.runnerName} starts after job ${job.id} started; a real failure cannot be ruled out`);
  }

  const offlineAt = firstOfflineWithin(history, started, completed + graceMs);
  if (offlineAt === undefined) {
    return no(`runner ${job.runnerName} stayed up during job ${job.id}: a real failure`);
  }
  const when = offlineAt <= completed ? 'during the job' : 'at completion (lost communication)';
  return {
    rerun: true,
    reason: `runner ${job.runnerName} went offline ${when}; re-running job ${job.id} (attempt ${job.runAttempt + 1} of at most ${maxAttempts})`,
  };
}

/** The first instant in [from, to] at which the runner was offline, if any. */
function firstOfflineWithin(history: readonly RunnerStateChange[], from: number, to: number): number | undefined {
  let stateAtFrom: RunnerHealth | undefined;
  for (const change of history) {
    if (change.atMs <= from) stateAtFrom = change.state;
  }
  if (stateAtFrom === 'offline') return from;
  const change = history.find((c) => c.atMs > from && c.atMs <= to && c.state === 'offline');
  return change?.atMs;
}

function parseTime(iso: string | null): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

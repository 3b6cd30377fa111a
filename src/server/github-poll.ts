/**
 * Polls GitHub's self-hosted runners list (the repository's or the
 * organization's) and tells the fleet monitor what GitHub says of each
 * configured runner. Asks with the ETags of the last answer, so an unchanged
 * list costs a 304 that does not count against the rate limit, and paces
 * itself by x-ratelimit-remaining / x-ratelimit-reset: never more often than
 * the configured interval, and slower when the remaining requests would not
 * last until the reset (a reserve is kept for cancels and re-runs).
 *
 * Must never poll faster than the interval, never stop on an error (it logs
 * and tries again later), and never run two polls at once.
 */
import { GitHubApiError, type GitHubClient, type RateLimitInfo, type RunnerListCache } from '../github/client.js';
import type { FleetMonitor, GithubRunnerStatus, Log } from './fleet-monitor.js';

/** Requests left alone for cancels and re-runs when pacing the polls. */
export const RATE_LIMIT_RESERVE = 50;

/** Runs `fn` once after `ms`; returns a function that cancels it. */
export type Timer = (fn: () => void, ms: number) => () => void;

export interface GithubPollOptions {
  github: GitHubClient;
  fleet: Pick<FleetMonitor, 'noteGithubRunners'>;
  intervalMs: number;
  now: () => number;
  log: Log;
  reserve?: number;
  timer?: Timer;
}

export interface GithubPollStatus {
  lastPollAt: number | null;
  /** Whether the last poll found the list changed (false: 304). */
  lastChanged: boolean | null;
  nextDelayMs: number | null;
  lastError: string | null;
}

const defaultTimer: Timer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * How long to wait before the next poll: the interval, or longer when the
 * remaining requests, less the reserve, would run out before the reset.
 */
export function nextPollDelay(intervalMs: number, rate: RateLimitInfo, now: number, reserve = RATE_LIMIT_RESERVE): number {
  if (rate.remaining === undefined || rate.resetAt === undefined) return intervalMs;
  const untilReset = Math.max(0, rate.resetAt - now);
  const budget = rate.remaining - reserve;
  if (budget <= 0) return Math.max(intervalMs, untilReset + 1000);
  return Math.max(intervalMs, Math.ceil(untilReset / budget));
}

export function createGithubPoll(opts: GithubPollOptions) {
  const timer = opts.timer ?? defaultTimer;
  const reserve = opts.reserve ?? RATE_LIMIT_RESERVE;
  let cache: RunnerListCache | undefined;
  let cancel: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const status: GithubPollStatus = { lastPollAt: null, lastChanged: null, nextDelayMs: null, lastError: null };

  /** One poll; returns the delay before the next one. */
  async function pollOnce(): Promise<number> {
    const now = opts.now();
    try {
      const answer = await opts.github.pollRunners(cache);
      cache = answer.cache;
      status.lastPollAt = now;
      status.lastChanged = answer.changed;
      status.lastError = null;
      const statuses = new Map<string, GithubRunnerStatus>(answer.runners.map((r) => [r.name, r.status]));
      opts.fleet.noteGithubRunners(statuses);
      return nextPollDelay(opts.intervalMs, answer.rateLimit, opts.now(), reserve);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      status.lastError = message;
      opts.log('polling GitHub runners failed', { error: message });
      if (err instanceof GitHubApiError && err.rateLimited) {
        const reset = err.rateLimitReset?.getTime();
        return reset === undefined ? Math.max(opts.intervalMs, 60_000) : Math.max(opts.intervalMs, reset - opts.now() + 1000);
      }
      return nextPollDelay(opts.intervalMs, opts.github.rateLimit(), opts.now(), reserve);
    }
  }

  function schedule(delayMs: number): void {
    status.nextDelayMs = delayMs;
    if (stopped) return;
    cancel = timer(() => {
      running = pollOnce().then(schedule);
    }, delayMs);
  }

  return {
    status: (): GithubPollStatus => ({ ...status }),
    pollOnce,
    /** Polls now, then again and again until stopped. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      running = pollOnce().then(schedule);
    },
    async stop(): Promise<void> {
      stopped = true;
      cancel?.();
      await running;
    },
  };
}

export type GithubPoll = ReturnType<typeof createGithubPoll>;

/**
 * pitcrew's GitHub REST client: the handful of Actions endpoints the control
 * plane needs (runners, jobs, re-runs), on top of @octokit/rest, with answers
 * validated and mapped to domain values and every failure turned into a
 * GitHubApiError that says what to do next.
 *
 * Must never put the token in an error, a log line or a metric: messages are
 * built from status, method and a cleaned URL, and scrubbed of the token.
 *
 * Endpoints (https://docs.github.com/rest/actions):
 * - GET  /repos/{owner}/{repo}/actions/runners                 (self-hosted-runners#list-self-hosted-runners-for-a-repository)
 * - GET  /orgs/{org}/actions/runners                           (self-hosted-runners#list-self-hosted-runners-for-an-organization)
 * - GET  /repos/{owner}/{repo}/actions/runners/{runner_id}     (self-hosted-runners#get-a-self-hosted-runner-for-a-repository)
 * - GET  /repos/{owner}/{repo}/actions/jobs/{job_id}           (workflow-jobs#get-a-job-for-a-workflow-run)
 * - GET  /repos/{owner}/{repo}/actions/runs/{run_id}/jobs      (workflow-jobs#list-jobs-for-a-workflow-run)
 * - GET  /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{n}/jobs (workflow-jobs#list-jobs-for-a-workflow-run-attempt)
 * - GET  /repos/{owner}/{repo}/actions/runs/{run_id}          (workflow-runs#get-a-workflow-run)
 * - POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel   -> 202 (workflow-runs#cancel-a-workflow-run)
 * - POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun     -> 201 (workflow-runs#re-run-a-job-from-a-workflow-run)
 * - POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs -> 201 (workflow-runs#re-run-failed-jobs-from-a-workflow-run)
 *
 * The runners list is polled with conditional requests (If-None-Match with the
 * ETag of each page): a 304 keeps the page given last time and does not count
 * against the primary rate limit.
 */
import { Octokit } from '@octokit/rest';
import type { z } from 'zod';
import { ExitCode, PitcrewError } from '../errors.js';
import { packageVersion } from '../version.js';
import {
  describeExpected,
  formatPath,
  jobListSchema,
  runnerListSchema,
  runnerSchema,
  workflowJobSchema,
  workflowRunSchema,
  type Runner,
  type WorkflowJob,
  type WorkflowRun,
} from './payloads.js';

export interface GitHubResponseInfo {
  status: number;
  /** x-ratelimit-remaining, when GitHub sent it (GHES with rate limits off does not). */
  rateLimitRemaining?: number;
  /** x-ratelimit-reset as ms since epoch, when GitHub sent it. */
  rateLimitResetAt?: number;
}

/** The rate limit as the last response told it; empty until one did. */
export interface RateLimitInfo {
  remaining?: number;
  resetAt?: number;
}

/** What the last poll of the runners list saw, page by page, to ask again with If-None-Match. */
export interface RunnerListCache {
  pages: { etag: string; runners: Runner[]; next: boolean }[];
}

export interface RunnerListPoll {
  /** False when GitHub answered 304 for every page: `runners` is the list given last time. */
  changed: boolean;
  runners: Runner[];
  /** Pass to the next poll. */
  cache: RunnerListCache;
  rateLimit: RateLimitInfo;
}

/** Whose runners the list names: the repository's, or the organization's (`owner`). */
export type RunnersScope = 'repository' | 'organization';

/** More pages than this (10,000 runners) is not a runners list pitcrew can watch. */
const MAX_RUNNER_PAGES = 100;

export interface GitHubClientOptions {
  token: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl?: string;
  owner: string;
  repo: string;
  /** Which runners list pollRunners reads. Default `repository`. */
  runnersScope?: RunnersScope;
  /** Called once for every HTTP response, success or error (feeds the API metrics). */
  onResponse?: (info: GitHubResponseInfo) => void;
  /** Receives GitHub's deprecation notices; silent by default. */
  warn?: (message: string) => void;
  fetch?: typeof globalThis.fetch;
}

export interface GitHubClient {
  readonly owner: string;
  readonly repo: string;
  listRunners(): Promise<Runner[]>;
  /** The runners list (repository's or organization's), asked with the ETags of `cache`. */
  pollRunners(cache?: RunnerListCache): Promise<RunnerListPoll>;
  getRunner(runnerId: number): Promise<Runner>;
  getJob(jobId: number): Promise<WorkflowJob>;
  /** Jobs of the latest attempt of a run, or of one attempt when given. */
  listJobsForRun(runId: number, attempt?: number): Promise<WorkflowJob[]>;
  /** Re-runs one job (and the jobs that depend on it). */
  rerunJob(jobId: number): Promise<void>;
  rerunFailedJobs(runId: number): Promise<void>;
  getRun(runId: number): Promise<WorkflowRun>;
  /** Asks GitHub to cancel a run (202: GitHub cancels it asynchronously). */
  cancelRun(runId: number): Promise<void>;
  /** The rate limit as the last response told it. */
  rateLimit(): RateLimitInfo;
}

/** A GitHub API call failed. `url` never carries credentials. */
export class GitHubApiError extends PitcrewError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly documentationUrl?: string;
  /** When the primary rate limit resets, if this was a rate-limit refusal. */
  readonly rateLimitReset?: Date;
  /** GitHub refused because of a primary or secondary rate limit: retry later, not a config problem. */
  readonly rateLimited: boolean;

  constructor(fields: {
    status: number;
    method: string;
    url: string;
    message: string;
    documentationUrl?: string;
    rateLimitReset?: Date;
    hint?: string;
    /** Rate limits are "come back later", whatever their status. */
    rateLimited?: boolean;
  }) {
    const exitCode = fields.rateLimited ? ExitCode.unavailable : exitCodeFor(fields.status);
    super(`github.api.${fields.rateLimited ? 'rate-limited' : fields.status === 0 ? 'unreachable' : fields.status}`, fields.message, exitCode, {
      hint: fields.hint,
    });
    this.name = 'GitHubApiError';
    this.status = fields.status;
    this.method = fields.method;
    this.url = fields.url;
    this.documentationUrl = fields.documentationUrl;
    this.rateLimitReset = fields.rateLimitReset;
    this.rateLimited = fields.rateLimited ?? false;
  }
}

function exitCodeFor(status: number): ExitCode {
  if (status === 401 || status === 403 || status === 404 || status === 422) return ExitCode.usage;
  if (status === 0 || status === 429 || status >= 500) return ExitCode.unavailable;
  return ExitCode.failed;
}

/** Builds the client. Nothing is sent until a method is called. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { token, owner, repo, onResponse } = options;
  const apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const scrub = scrubber(token);
  const warn = options.warn ?? (() => undefined);
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: `pitcrew/${packageVersion()}`,
    request: options.fetch ? { fetch: options.fetch } : {},
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => warn(scrub(m)), error: () => undefined },
  });

  let lastRate: RateLimitInfo = {};
  const seen = (status: number, headers: Record<string, unknown>) => {
    const info = responseInfo(status, headers);
    if (info.rateLimitRemaining !== undefined) lastRate = { remaining: info.rateLimitRemaining, resetAt: info.rateLimitResetAt };
    onResponse?.(info);
  };
  octokit.hook.after('request', (response) => seen(response.status, response.headers));
  octokit.hook.error('request', (error) => {
    const e = error as OctokitFailure;
    if (e.response) seen(e.response.status, e.response.headers);
    throw toApiError(e, scrub);
  });

  const repoParams = { owner, repo };
  const where = `${owner}/${repo}`;

  return {
    owner,
    repo,
    async listRunners() {
      const items = await octokit.paginate(octokit.rest.actions.listSelfHostedRunnersForRepo, { ...repoParams, per_page: 100 });
      return parseAnswer(runnerListSchema, items, 'GET', `/repos/${where}/actions/runners`);
    },
    async pollRunners(cache) {
      const org = options.runnersScope === 'organization';
      const route = org ? 'GET /orgs/{org}/actions/runners' : 'GET /repos/{owner}/{repo}/actions/runners';
      const params = org ? { org: owner } : repoParams;
      const listUrl = org ? `/orgs/${owner}/actions/runners` : `/repos/${where}/actions/runners`;
      const pages: RunnerListCache['pages'] = [];
      let changed = false;
      for (let page = 1; page <= MAX_RUNNER_PAGES; page++) {
        const before = cache?.pages[page - 1];
        try {
          const res = await octokit.request(route, { ...params, per_page: 100, page, headers: before?.etag ? { 'if-none-match': before.etag } : {} });
          const body = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as { runners?: unknown };
          const runners = parseAnswer(runnerListSchema, body.runners, 'GET', listUrl);
          pages.push({ etag: String(res.headers.etag ?? ''), runners, next: /rel="next"/.test(String(res.headers.link ?? '')) });
          changed = true;
        } catch (err) {
          if (!(err instanceof GitHubApiError && err.status === 304 && before)) throw err;
          pages.push(before);
        }
        if (!pages[pages.length - 1].next) break;
      }
      // A list that shrank by a page is a change even when every page still asked was not modified.
      if ((cache?.pages.length ?? 0) !== pages.length) changed = true;
      return { changed, runners: pages.flatMap((p) => p.runners), cache: { pages }, rateLimit: { ...lastRate } };
    },
    async getRunner(runnerId) {
      const res = await octokit.rest.actions.getSelfHostedRunnerForRepo({ ...repoParams, runner_id: runnerId });
      return parseAnswer(runnerSchema, res.data, 'GET', res.url);
    },
    async getJob(jobId) {
      const res = await octokit.rest.actions.getJobForWorkflowRun({ ...repoParams, job_id: jobId });
      return parseAnswer(workflowJobSchema, res.data, 'GET', res.url);
    },
    async listJobsForRun(runId, attempt) {
      const items =
        attempt === undefined
          ? await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, { ...repoParams, run_id: runId, filter: 'latest', per_page: 100 })
          : await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRunAttempt, {
              ...repoParams,
              run_id: runId,
              attempt_number: attempt,
              per_page: 100,
            });
      return parseAnswer(jobListSchema, items, 'GET', `/repos/${where}/actions/runs/${runId}/jobs`);
    },
    async rerunJob(jobId) {
      await octokit.rest.actions.reRunJobForWorkflowRun({ ...repoParams, job_id: jobId });
    },
    async rerunFailedJobs(runId) {
      await octokit.rest.actions.reRunWorkflowFailedJobs({ ...repoParams, run_id: runId });
    },
    async getRun(runId) {
      const res = await octokit.rest.actions.getWorkflowRun({ ...repoParams, run_id: runId });
      return parseAnswer(workflowRunSchema, res.data, 'GET', res.url);
    },
    async cancelRun(runId) {
      await octokit.rest.actions.cancelWorkflowRun({ ...repoParams, run_id: runId });
    },
    rateLimit: () => ({ ...lastRate }),
  };

  function parseAnswer<S extends z.ZodTypeAny>(schema: S, data: unknown, method: string, url: string): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data as z.output<S>;
    const issue = result.error.issues[0];
    throw new GitHubApiError({
      status: 200,
      method,
      url: scrub(cleanUrl(url.startsWith('/') ? apiUrl + url : url)),
      message: `GitHub answered ${method} ${url} with a body pitcrew does not understand: at ${formatPath(issue.path)} expected ${describeExpected(issue)}.`,
      hint: 'Check that apiUrl points at the GitHub REST API (for GitHub Enterprise Server: https://HOST/api/v3).',
    });
  }
}

interface OctokitFailure extends Error {
  status?: number;
  request?: { method?: string; url?: string };
  response?: { status: number; headers: Record<string, string | number | undefined>; data?: unknown };
}

function responseInfo(status: number, headers: Record<string, unknown>): GitHubResponseInfo {
  const number = (raw: unknown) => (raw === undefined || raw === '' ? NaN : Number(raw));
  const remaining = number(headers['x-ratelimit-remaining']);
  const reset = number(headers['x-ratelimit-reset']);
  if (Number.isNaN(remaining)) return { status };
  return Number.isNaN(reset) ? { status, rateLimitRemaining: remaining } : { status, rateLimitRemaining: remaining, rateLimitResetAt: reset * 1000 };
}

/** Replaces every occurrence of the token (and a URL's user:password) so neither can leak. */
function scrubber(token: string): (text: string) => string {
  return (text) => {
    let out = text.replace(/\/\/[^/@\s]+@/g, '//[REDACTED]@');
    if (token.length > 0) out = out.split(token).join('[REDACTED]');
    return out;
  };
}

function cleanUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of ['access_token', 'client_secret', 'token']) {
      if (u.searchParams.has(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return url;
  }
}

function toApiError(e: OctokitFailure, scrub: (s: string) => string): GitHubApiError {
  const method = e.request?.method ?? 'GET';
  const url = scrub(cleanUrl(e.request?.url ?? ''));
  const call = `${method} ${url}`;
  if (!e.response) {
    return new GitHubApiError({
      status: 0,
      method,
      url,
      message: `Could not reach GitHub for ${call}: ${scrub(e.message)}.`,
      hint: 'Check network access to the API host and the configured apiUrl.',
    });
  }
  const { status, headers, data } = e.response;
  const body = (typeof data === 'object' && data !== null ? data : {}) as { message?: unknown; documentation_url?: unknown };
  const said = typeof body.message === 'string' ? scrub(body.message).slice(0, 200) : undefined;
  const documentationUrl = typeof body.documentation_url === 'string' ? body.documentation_url : undefined;
  const githubSaid = said ? ` GitHub said: "${said}".` : '';
  const base = { status, method, url, documentationUrl };
  const remaining = headers['x-ratelimit-remaining'];
  const resetSec = Number(headers['x-ratelimit-reset']);
  const retryAfter = headers['retry-after'];

  // https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
  if ((status === 403 || status === 429) && String(remaining) === '0') {
    const reset = Number.isFinite(resetSec) && resetSec > 0 ? new Date(resetSec * 1000) : undefined;
    const until = reset ? `until ${reset.toISOString()}` : 'until the limit resets';
    return new GitHubApiError({
      ...base,
      rateLimited: true,
      rateLimitReset: reset,
      message: `GitHub rate limit exhausted for ${call}: rate limited ${until}.${githubSaid}`,
      hint: 'Wait for the reset, or use a GitHub App installation token, which has a higher limit.',
    });
  }
  if (status === 429 || (status === 403 && (retryAfter !== undefined || /secondary rate limit/i.test(said ?? '')))) {
    const wait = retryAfter !== undefined ? `retry after ${String(retryAfter)} s` : 'wait at least a minute';
    return new GitHubApiError({ ...base, rateLimited: true, message: `GitHub secondary rate limit hit for ${call}: ${wait}.${githubSaid}` });
  }
  switch (status) {
    case 401:
      return new GitHubApiError({
        ...base,
        message: `GitHub rejected the token for ${call} (401): the token is invalid, expired or revoked.${githubSaid}`,
        hint: 'Create a new token (see docs/github.md for the permissions) and update the configured token.',
      });
    case 403:
      return new GitHubApiError({
        ...base,
        message: `GitHub refused ${call} (403): the token lacks a permission this call needs, or the job cannot be re-run.${githubSaid}`,
        hint: 'Fine-grained token: Actions read/write and Administration read on the repository (docs/github.md).',
      });
    case 404:
      return new GitHubApiError({
        ...base,
        message: `GitHub found nothing at ${call} (404): the repository, runner or job does not exist, or the token cannot see it.${githubSaid}`,
        hint: 'Check owner/repo and the id, and that the token was granted access to this repository.',
      });
    default:
      return new GitHubApiError({
        ...base,
        message: `GitHub answered ${call} with ${status}.${githubSaid}`,
        hint: status >= 500 ? 'GitHub had a problem; retry later (https://www.githubstatus.com).' : undefined,
      });
  }
}

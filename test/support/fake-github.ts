/**
 * A local stand-in for the GitHub REST API and webhook sender, for tests.
 *
 * It speaks the few Actions endpoints pitcrew uses, over real HTTP on
 * 127.0.0.1, with bodies and headers shaped like GitHub's documented ones
 * (runner, job and workflow run objects, `Link` pagination, `ETag` with 304
 * answers to a matching If-None-Match that do not count against the rate
 * limit, x-ratelimit-* headers, error bodies `{ message, documentation_url }`).
 * It fails closed: a test declares every call it expects (`expect`, or `allow`
 * for calls a timer repeats); any other call is answered 500 and recorded, and
 * `assertDone()` throws listing unexpected calls and expected calls that never
 * came. An expected call without an explicit reply is answered from the fake's
 * state (runners, jobs, runs), the way GitHub would: a cancel (202) completes
 * the run as `cancelled`, a re-run of failed jobs (201) queues its next attempt.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

const DOCS = 'https://docs.github.com/rest';

export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordedCall {
  method: string;
  /** Path with query string, e.g. `/repos/o/r/actions/runners?per_page=100`. */
  path: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the fake answered with. */
  status?: number;
}

export type ReplyFn = (call: RecordedCall, fake: FakeGitHub) => FakeReply;

interface Expectation {
  method: string;
  path: string;
  reply?: FakeReply | ReplyFn;
  /** At most this many calls (Infinity for `allow`). */
  times: number;
  /** At least this many calls by assertDone. */
  min: number;
  seen: number;
}

export interface RunnerPayload {
  id: number;
  name: string;
  os: string;
  status: 'online' | 'offline';
  busy: boolean;
  ephemeral: boolean;
  labels: { id: number; name: string; type: 'read-only' | 'custom' }[];
}

/** A REST job object (GET /repos/{o}/{r}/actions/jobs/{id}); the webhook's workflow_job has the same keys. */
export type JobPayload = ReturnType<typeof jobPayload>;

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** When set, calls must carry `Authorization: token <token>` (or Bearer), else 401. */
  token?: string;
  rateLimit?: { limit?: number; remaining?: number; resetSec?: number };
}

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly token?: string;
  url = '';
  readonly calls: RecordedCall[] = [];
  readonly unexpected: RecordedCall[] = [];
  readonly runners: RunnerPayload[] = [];
  readonly jobs = new Map<number, JobPayload>();
  readonly runs = new Map<number, RunPayload>();
  rateLimit: { limit: number; remaining: number; resetSec: number };
  private readonly expectations: Expectation[] = [];
  private readonly server: Server;

  constructor(options: FakeGitHubOptions = {}) {
    this.owner = options.owner ?? 'o';
    this.repo = options.repo ?? 'r';
    this.token = options.token;
    this.rateLimit = {
      limit: options.rateLimit?.limit ?? 5000,
      remaining: options.rateLimit?.remaining ?? 4999,
      resetSec: options.rateLimit?.resetSec ?? Math.floor(Date.now() / 1000) + 3600,
    };
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const call: RecordedCall = {
          method: req.method ?? 'GET',
          path: url.pathname + url.search,
          pathname: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.calls.push(call);
        const reply = this.answer(call);
        call.status = reply.status ?? 200;
        const headers: Record<string, string> = {
          'content-type': 'application/json; charset=utf-8',
          'x-github-media-type': 'github.v3; format=json',
          'x-github-request-id': randomUUID().toUpperCase(),
          ...this.rateLimitHeaders(),
          ...reply.headers,
        };
        res.writeHead(call.status, headers);
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Declares an expected call. The path is matched without its query unless it contains `?`. */
  expect(method: string, path: string, reply?: FakeReply | ReplyFn, options: { times?: number } = {}): this {
    const times = options.times ?? 1;
    this.expectations.push({ method: method.toUpperCase(), path, reply, times, min: times, seen: 0 });
    return this;
  }

  /** Declares a call that may come any number of times (a poll), at least `min` times by assertDone. */
  allow(method: string, path: string, options: { min?: number; reply?: FakeReply | ReplyFn } = {}): this {
    this.expectations.push({ method: method.toUpperCase(), path, reply: options.reply, times: Infinity, min: options.min ?? 0, seen: 0 });
    return this;
  }

  /** Throws if a call came that no test expected, or an expected call did not come (often enough). */
  assertDone(): void {
    const problems: string[] = [];
    for (const c of this.unexpected) problems.push(`unexpected call: ${c.method} ${c.path}`);
    for (const e of this.expectations) {
      if (e.seen < e.min) problems.push(`expected call never came: ${e.method} ${e.path} (${e.seen} of ${e.min})`);
    }
    if (problems.length > 0) throw new Error(`fake GitHub:\n  ${problems.join('\n  ')}`);
  }

  addRunner(fields: Partial<Omit<RunnerPayload, 'labels'>> & { name: string; labels?: string[] }): RunnerPayload {
    const runner = runnerPayload({ id: this.runners.length + 1, ...fields });
    this.runners.push(runner);
    return runner;
  }

  setRunnerStatus(name: string, status: 'online' | 'offline', busy = false): void {
    const runner = this.runners.find((r) => r.name === name);
    if (!runner) throw new Error(`fake GitHub: no runner named ${name}`);
    runner.status = status;
    runner.busy = status === 'online' && busy;
  }

  putJob(job: JobPayload): JobPayload {
    this.jobs.set(job.id, job);
    return job;
  }

  putRun(run: RunPayload): RunPayload {
    this.runs.set(run.id, run);
    return run;
  }

  private answer(call: RecordedCall): FakeReply {
    const expectation = this.expectations.find(
      (e) => e.method === call.method && e.seen < e.times && (e.path.includes('?') ? e.path === call.path : e.path === call.pathname),
    );
    if (!expectation) {
      this.unexpected.push(call);
      return { status: 500, body: { message: `fake GitHub: unexpected call ${call.method} ${call.path}`, documentation_url: DOCS } };
    }
    expectation.seen++;
    if (this.token !== undefined && !this.authorized(call.headers.authorization)) return replies.unauthorized();
    if (this.rateLimit.remaining <= 0) return replies.rateLimited(this.rateLimit.resetSec);
    this.rateLimit.remaining--;
    const { reply } = expectation;
    const answer = typeof reply === 'function' ? reply(call, this) : (reply ?? this.fromState(call));
    // https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
    if (answer.status === 304) this.rateLimit.remaining++;
    return answer;
  }

  private authorized(header: string | undefined): boolean {
    return header === `token ${this.token}` || header === `Bearer ${this.token}`;
  }

  private rateLimitHeaders(): Record<string, string> {
    const { limit, remaining, resetSec } = this.rateLimit;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': String(resetSec),
      'x-ratelimit-used': String(limit - Math.max(0, remaining)),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Answers an expected call the way GitHub would, from the runners and jobs held here. */
  private fromState(call: RecordedCall): FakeReply {
    const base = `/repos/${this.owner}/${this.repo}/actions`;
    const p = call.pathname;
    let m: RegExpMatchArray | null;
    if (call.method === 'GET' && (p === `${base}/runners` || p === `/orgs/${this.owner}/actions/runners`)) {
      return this.page(call, 'runners', this.runners);
    }
    if (call.method === 'GET' && (m = p.match(new RegExp(`^${base}/runs/(\\d+)$`)))) {
      const run = this.runs.get(Number(m[1]));
      return run ? { body: run } : replies.notFound();
    }
    if (call.method === 'POST' && (m = p.match(new RegExp(`^${base}/runs/(\\d+)/cancel$`)))) {
      return this.cancel(Number(m[1]));
    }
    if (call.method === 'GET' && (m = p.match(new RegExp(`^${base}/runners/(\\d+)$`)))) {
      const runner = this.runners.find((r) => r.id === Number(m![1]));
      return runner ? { body: runner } : replies.notFound();
    }
    if (call.method === 'GET' && (m = p.match(new RegExp(`^${base}/jobs/(\\d+)$`)))) {
      const job = this.jobs.get(Number(m[1]));
      return job ? { body: job } : replies.notFound();
    }
    if (call.method === 'GET' && (m = p.match(new RegExp(`^${base}/runs/(\\d+)(?:/attempts/(\\d+))?/jobs$`)))) {
      const runId = Number(m[1]);
      const ofRun = [...this.jobs.values()].filter((j) => j.run_id === runId);
      const attempt = m[2] !== undefined ? Number(m[2]) : Math.max(0, ...ofRun.map((j) => j.run_attempt));
      return this.page(call, 'jobs', ofRun.filter((j) => j.run_attempt === attempt));
    }
    if (call.method === 'POST' && (m = p.match(new RegExp(`^${base}/jobs/(\\d+)/rerun$`)))) {
      return this.jobs.has(Number(m[1])) ? replies.created() : replies.notFound();
    }
    if (call.method === 'POST' && (m = p.match(new RegExp(`^${base}/runs/(\\d+)/rerun-failed-jobs$`)))) {
      return this.rerunFailed(Number(m[1]));
    }
    return replies.notFound();
  }

  /** Cancels a run as GitHub ends up doing: completed, `cancelled`, its unfinished jobs too. 409 once completed. */
  private cancel(runId: number): FakeReply {
    const run = this.runs.get(runId);
    if (!run) return replies.notFound();
    if (run.status === 'completed') return replies.conflict('Cannot cancel a workflow run that is completed.');
    const at = new Date().toISOString();
    Object.assign(run, { status: 'completed', conclusion: 'cancelled', updated_at: at });
    for (const job of this.jobs.values()) {
      if (job.run_id === runId && job.run_attempt === run.run_attempt && job.status !== 'completed') {
        Object.assign(job, { status: 'completed', conclusion: 'cancelled', completed_at: at });
      }
    }
    return { status: 202, body: {} };
  }

  /** Re-runs the failed and cancelled jobs of a completed run: its next attempt is queued. */
  private rerunFailed(runId: number): FakeReply {
    const run = this.runs.get(runId);
    if (!run) return replies.notFound();
    if (run.status !== 'completed') return replies.forbidden('This workflow is already running');
    if (run.conclusion === 'success') return replies.forbidden('This workflow run has no failed jobs to re-run');
    Object.assign(run, { status: 'queued', conclusion: null, run_attempt: run.run_attempt + 1, updated_at: new Date().toISOString() });
    return replies.created();
  }

  /** A page of a list answer `{ total_count, <key>: [...] }` with GitHub's `Link` header and an `ETag` (304 when it matches). */
  private page(call: RecordedCall, key: string, items: readonly unknown[]): FakeReply {
    const perPage = Math.min(100, Number(call.query.get('per_page') ?? 30));
    const page = Number(call.query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(call.query);
      q.set('page', String(n));
      return `<${this.url}${call.pathname}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    const body = { total_count: items.length, [key]: items.slice((page - 1) * perPage, page * perPage) };
    const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`;
    const headers: Record<string, string> = { etag, ...(links.length > 0 ? { link: links.join(', ') } : {}) };
    if (call.headers['if-none-match'] === etag) return { status: 304, headers };
    return { body, headers };
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start();
}

/** Canned answers, with GitHub's documented error bodies. */
export const replies = {
  created: (): FakeReply => ({ status: 201, body: {} }),
  notFound: (): FakeReply => ({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }),
  unauthorized: (): FakeReply => ({ status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } }),
  conflict: (message: string): FakeReply => ({ status: 409, body: { message, documentation_url: `${DOCS}/actions/workflow-runs#cancel-a-workflow-run`, status: '409' } }),
  forbidden: (message = 'Resource not accessible by personal access token'): FakeReply => ({
    status: 403,
    body: { message, documentation_url: DOCS, status: '403' },
  }),
  rateLimited: (resetSec: number): FakeReply => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetSec) },
    body: {
      message: 'API rate limit exceeded for user ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    },
  }),
};

export function runnerPayload(fields: Partial<Omit<RunnerPayload, 'labels'>> & { name: string; labels?: string[] }): RunnerPayload {
  const labels = fields.labels ?? ['self-hosted', 'linux', 'x64'];
  const readOnly = new Set(['self-hosted', 'linux', 'x64', 'arm64', 'macos', 'windows']);
  return {
    id: fields.id ?? 1,
    name: fields.name,
    os: fields.os ?? 'linux',
    status: fields.status ?? 'online',
    busy: fields.busy ?? false,
    ephemeral: fields.ephemeral ?? false,
    labels: labels.map((name, i) => ({ id: i + 1, name, type: readOnly.has(name) ? 'read-only' : 'custom' })),
  };
}

/** A workflow run object (GET /repos/{o}/{r}/actions/runs/{id}) with the keys GitHub documents that tests touch, and more. */
export type RunPayload = ReturnType<typeof runPayload>;

export function runPayload(f: { id?: number; run_attempt?: number; status?: string; conclusion?: string | null; name?: string; owner?: string; repo?: string } = {}) {
  const id = f.id ?? 7;
  const repoPath = `${f.owner ?? 'o'}/${f.repo ?? 'r'}`;
  const status = f.status ?? 'in_progress';
  return {
    id,
    name: f.name ?? 'Deploy',
    node_id: 'WFR_kwLOABCD' + String(id),
    head_branch: 'main',
    head_sha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
    path: '.github/workflows/deploy.yml',
    run_number: 12,
    run_attempt: f.run_attempt ?? 1,
    event: 'push',
    display_title: 'Deploy',
    status,
    conclusion: f.conclusion !== undefined ? f.conclusion : status === 'completed' ? 'success' : null,
    workflow_id: 159038,
    url: `https://api.github.com/repos/${repoPath}/actions/runs/${id}`,
    html_url: `https://github.com/${repoPath}/actions/runs/${id}`,
    jobs_url: `https://api.github.com/repos/${repoPath}/actions/runs/${id}/jobs`,
    cancel_url: `https://api.github.com/repos/${repoPath}/actions/runs/${id}/cancel`,
    rerun_url: `https://api.github.com/repos/${repoPath}/actions/runs/${id}/rerun`,
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T10:00:05Z',
    run_started_at: '2024-05-01T10:00:00Z',
    actor: { login: 'octocat', id: 1, type: 'User' },
    triggering_actor: { login: 'octocat', id: 1, type: 'User' },
    repository: { id: 186853002, name: f.repo ?? 'r', full_name: repoPath },
  };
}

interface JobFields {
  id?: number;
  run_id?: number;
  run_attempt?: number;
  name?: string;
  workflow_name?: string;
  head_branch?: string;
  head_sha?: string;
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting';
  conclusion?: string | null;
  created_at?: string;
  started_at?: string;
  completed_at?: string | null;
  labels?: string[];
  runner_id?: number | null;
  runner_name?: string | null;
  runner_group_id?: number | null;
  runner_group_name?: string | null;
  steps?: { name: string; status: string; conclusion: string | null; number: number; started_at: string | null; completed_at: string | null }[];
  owner?: string;
  repo?: string;
}

/** A job object with every key GitHub documents for "Get a job for a workflow run". */
export function jobPayload(f: JobFields = {}) {
  const id = f.id ?? 42;
  const runId = f.run_id ?? 7;
  const repoPath = `${f.owner ?? 'o'}/${f.repo ?? 'r'}`;
  const status = f.status ?? 'completed';
  const onRunner = status !== 'queued' && status !== 'waiting';
  return {
    id,
    run_id: runId,
    run_url: `https://api.github.com/repos/${repoPath}/actions/runs/${runId}`,
    run_attempt: f.run_attempt ?? 1,
    node_id: 'CR_kwDOABCD' + String(id),
    head_sha: f.head_sha ?? '3484a3fb816e0859fd6e1cea078d76385ff50625',
    url: `https://api.github.com/repos/${repoPath}/actions/jobs/${id}`,
    html_url: `https://github.com/${repoPath}/actions/runs/${runId}/job/${id}`,
    status,
    conclusion: f.conclusion !== undefined ? f.conclusion : status === 'completed' ? 'success' : null,
    created_at: f.created_at ?? '2024-05-01T10:00:00Z',
    started_at: f.started_at ?? '2024-05-01T10:00:05Z',
    completed_at: f.completed_at !== undefined ? f.completed_at : status === 'completed' ? '2024-05-01T10:04:00Z' : null,
    name: f.name ?? 'deploy',
    steps: f.steps ?? stepsFor(status, f.conclusion ?? null),
    check_run_url: `https://api.github.com/repos/${repoPath}/check-runs/${id}`,
    labels: f.labels ?? ['self-hosted', 'linux', 'deploy-prod'],
    runner_id: f.runner_id !== undefined ? f.runner_id : onRunner ? 1 : null,
    runner_name: f.runner_name !== undefined ? f.runner_name : onRunner ? 'runner-a' : null,
    runner_group_id: f.runner_group_id !== undefined ? f.runner_group_id : onRunner ? 1 : null,
    runner_group_name: f.runner_group_name !== undefined ? f.runner_group_name : onRunner ? 'Default' : null,
    workflow_name: f.workflow_name ?? 'Deploy',
    head_branch: f.head_branch ?? 'main',
  };
}

function stepsFor(status: string, conclusion: string | null) {
  if (status === 'queued' || status === 'waiting') return [];
  const t = '2024-05-01T10:00:06Z';
  const setUp = { name: 'Set up job', status: 'completed', conclusion: 'success', number: 1, started_at: t, completed_at: t };
  if (status === 'in_progress') {
    return [setUp, { name: 'Deploy', status: 'in_progress', conclusion: null, number: 2, started_at: t, completed_at: null }];
  }
  return [setUp, { name: 'Deploy', status: 'completed', conclusion: conclusion ?? 'success', number: 2, started_at: t, completed_at: '2024-05-01T10:04:00Z' }];
}

/**
 * A `workflow_job` delivery body as GitHub sends it (webhook-events-and-payloads#workflow_job):
 * queued jobs have no runner and no steps; in_progress ones have a runner; completed ones a conclusion.
 */
export function workflowJobDelivery(action: 'queued' | 'in_progress' | 'completed' | 'waiting', f: JobFields = {}) {
  const owner = f.owner ?? 'o';
  const repo = f.repo ?? 'r';
  const completed = action === 'completed';
  const job = jobPayload({
    ...f,
    status: action,
    conclusion: completed ? (f.conclusion ?? 'success') : null,
    completed_at: completed ? (f.completed_at ?? '2024-05-01T10:04:00Z') : null,
  });
  return {
    action,
    workflow_job: job,
    repository: {
      id: 186853002,
      node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
      name: repo,
      full_name: `${owner}/${repo}`,
      private: true,
      owner: { login: owner, id: 38302899, type: 'Organization' },
      html_url: `https://github.com/${owner}/${repo}`,
      default_branch: 'main',
    },
    sender: { login: 'octocat', id: 1, type: 'User' },
  };
}

export interface DeliveryOptions {
  deliveryId?: string;
  /** Send these bytes instead of JSON.stringify(payload) (still signed unless `signature` is given). */
  rawBody?: string;
  /** Override the X-Hub-Signature-256 header; null leaves it out. */
  signature?: string | null;
}

/** POSTs a delivery to `url` the way GitHub's webhook sender does, signed with `secret`. */
export async function deliverWebhook(
  url: string,
  event: string,
  payload: unknown,
  secret: string,
  options: DeliveryOptions = {},
): Promise<{ status: number; body: string; deliveryId: string }> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const body = options.rawBody ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/7a8f2c1',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '292430182',
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': '186853002',
  };
  const signature = options.signature === undefined ? await sign(secret, body) : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text(), deliveryId };
}

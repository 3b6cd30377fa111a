/**
 * DeployCoordinator over the server's HTTP API (server mode): the lock routes
 * and the deployment routes of docs/server.md. The deployer names its runner
 * and presents a deployer token; the server decides whether that runner may
 * deploy to the environment.
 *
 * Every call has a timeout. Only calls that may safely run twice (reads,
 * enqueue with the same owner token, poll, renew, release, a deployment
 * patch) are retried when the server cannot be reached; creating a
 * deployment, a journal write and a force release are not. Must never put
 * the token in a message, and never keep state of its own.
 */
import { ExitCode, PitcrewError, UnavailableError, UsageError } from '../errors.js';
import { StaleFencingTokenError } from '../store/index.js';
import type {
  DeployCoordinator, Deployment, JournalEvent, LockHolder, LockPoll, LockRenewal, LockStatus,
} from './coordinator.js';

export interface HttpCoordinatorOptions {
  /** The server's base URL, e.g. http://ctl:8080 (--server, $PITCREW_SERVER). */
  url: string;
  /** A deployer token (admin for forceRelease); none for a server without tokens. */
  token?: string;
  /** The runner this deployer runs on ($RUNNER_NAME); needed to take a lock and record a deployment. */
  runner?: string | null;
  fetch?: typeof globalThis.fetch;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Extra attempts of an idempotent call when the server cannot be reached (default 2). */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Safe to send again when the first attempt may or may not have arrived. */
  idempotent: boolean;
  environment?: string;
}

type ErrorBody = { error?: { code?: string; message?: string; environment?: string; fencingToken?: number; currentToken?: number } };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * @example
 *   const coord = httpCoordinator({ url: 'http://ctl:8080', token: process.env.PITCREW_TOKEN, runner: process.env.RUNNER_NAME });
 *   const lease = await acquireLease(coord, { environment: 'prod', description: 'deploy 1.4.2', runner: 'ci-1', ttlMs: 60_000, waitMs: 600_000 });
 */
export function httpCoordinator(opts: HttpCoordinatorOptions): DeployCoordinator {
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch {
    throw new UsageError(`--server is "${opts.url}"; expected a URL such as http://127.0.0.1:8080`, { hint: 'fix --server or PITCREW_SERVER' });
  }
  const origin = base.origin;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const retries = opts.retries ?? 2;
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;

  const runnerFor = (environment: string, given?: string | null): string => {
    const runner = opts.runner ?? given;
    if (runner) return runner;
    throw new UsageError(`deploying to ${environment} through the server at ${origin} needs the runner's name, and RUNNER_NAME is not set`, {
      code: 'server.runner-unknown',
      hint: 'set RUNNER_NAME to the name of this runner in pitcrew.yml (GitHub Actions sets it on every runner)',
    });
  };

  async function send<T>(call: Call): Promise<T> {
    const url = new URL(call.path, base);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: call.method, headers, signal: AbortSignal.timeout(timeoutMs),
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
        });
      } catch (err) {
        if (call.idempotent && attempt < retries) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        const e = err as Error & { cause?: { code?: string } };
        const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
        throw new UnavailableError(`cannot reach the pitcrew server at ${origin} (${call.method} ${url.pathname}): ${why}`, {
          code: 'server.unreachable',
          hint: 'check that `pitcrew server` runs there and that --server / PITCREW_SERVER is right',
        });
      }
      if (res.status >= 502 && res.status <= 504 && call.idempotent && attempt < retries) {
        await res.body?.cancel();
        await sleep(200 * 2 ** attempt);
        continue;
      }
      return answer<T>(res, call, url);
    }
  }

  async function answer<T>(res: Response, call: Call, url: URL): Promise<T> {
    const textBody = await res.text();
    let data: unknown;
    try {
      data = JSON.parse(textBody);
    } catch {
      throw new UnavailableError(`the server at ${origin} answered ${res.status} to ${call.method} ${url.pathname} with something that is not JSON`, {
        code: 'server.bad-answer', hint: 'is --server pointing at a pitcrew server?',
      });
    }
    if (res.ok) return data as T;
    throw failure(res.status, (data as ErrorBody).error ?? {}, call, url);
  }

  function failure(status: number, error: NonNullable<ErrorBody['error']>, call: Call, url: URL): Error {
    const message = `${origin}${url.pathname}: ${error.message ?? `HTTP ${status}`}`;
    const env = call.environment ?? 'the environment';
    if (status === 401) {
      return new UsageError(message, { code: 'server.unauthenticated', hint: 'pass --token or set PITCREW_TOKEN to a deployer token from server.tokens' });
    }
    if (status === 403 && error.code === 'runner-not-authorized') {
      return new UsageError(message, {
        code: 'server.runner-not-authorized',
        hint: `RUNNER_NAME is ${opts.runner ?? 'not set'}; deploy to ${env} from a runner that lists ${env} under environments in pitcrew.yml`,
      });
    }
    if (status === 403) {
      return new UsageError(message, { code: 'server.forbidden', hint: 'deploys need a token with the deployer role, lock release --force the admin role (docs/server.md)' });
    }
    if (status === 409 && error.code === 'lock.stale-token') {
      return new StaleFencingTokenError(error.environment ?? env, error.fencingToken ?? 0, error.currentToken ?? 0);
    }
    if (status === 409) {
      return new UnavailableError(message, { code: error.code ?? 'server.conflict', hint: 'this deployer no longer holds the lock; let the current holder (or `pitcrew recover`) finish' });
    }
    if (status === 400 || status === 404) return new UsageError(message, { code: `server.${error.code ?? status}` });
    return new PitcrewError(`server.${error.code ?? status}`, message, status >= 500 ? ExitCode.unavailable : ExitCode.failed);
  }

  const env = (e: string) => `/api/v1/environments/${encodeURIComponent(e)}`;
  const dep = (id: string) => `/api/v1/deployments/${encodeURIComponent(id)}`;
  const lockPost = <T>(environment: string, step: string, body: unknown) =>
    send<T>({ method: 'POST', path: `${env(environment)}/lock/${step}`, body, idempotent: true, environment });

  return {
    async enqueue(environment, waiter) {
      const body = { ownerToken: waiter.ownerToken, runner: runnerFor(environment, waiter.runner), description: waiter.description, ttlMs: waiter.ttlMs };
      const { ticket } = await lockPost<{ ticket: number }>(environment, 'enqueue', body);
      return { ticket };
    },
    async poll(environment, ownerToken) {
      const r = await lockPost<LockPoll>(environment, 'poll', { ownerToken });
      return r.status === 'waiting' ? { ...r, holder: withoutOwner(r.holder) } : r;
    },
    async renew(environment, ownerToken, fencingToken, ttlMs) {
      const r = await lockPost<LockRenewal>(environment, 'renew', { ownerToken, fencingToken, ttlMs });
      return r.status === 'lost' ? { ...r, holder: withoutOwner(r.holder) } : r;
    },
    release: async (environment, ownerToken) => (await lockPost<{ released: boolean }>(environment, 'release', { ownerToken })).released,
    async forceRelease(environment, actor, reason) {
      const r = await send<{ broken: LockHolder | null }>({
        method: 'POST', path: `${env(environment)}/lock/force-release`, body: { reason, requestedBy: actor }, idempotent: false, environment,
      });
      return withoutOwner(r.broken);
    },
    async lockStatus(environment) {
      const s = await send<LockStatus>({ method: 'GET', path: `${env(environment)}/lock`, idempotent: true, environment });
      return { ...s, holder: s.holder && { ...s.holder, ownerToken: '' }, queue: s.queue.map((w) => ({ ...w, ownerToken: '' })) };
    },
    async openIncident(req) {
      // Only the deploy incidents travel this way; the server opens the fleet's own.
      return send<{ id: string; opened: boolean }>({ method: 'POST', path: '/api/v1/incidents/deploy', body: req, idempotent: true, environment: req.environment ?? undefined });
    },
    async resolveIncidents(condition, at, note) {
      const r = await send<{ resolved: number }>({ method: 'POST', path: '/api/v1/incidents/deploy/resolve', body: { condition, at, note }, idempotent: true });
      return r.resolved;
    },
    async createDeployment(d) {
      const body = { ...d, runner: runnerFor(d.environment, d.runner) };
      const { environment: _inPath, ...rest } = body;
      const r = await send<{ deployment: Deployment }>({ method: 'POST', path: `${env(d.environment)}/deployments`, body: rest, idempotent: false, environment: d.environment });
      return r.deployment;
    },
    updateDeployment: async (id, patch) => (await send<{ deployment: Deployment }>({ method: 'PATCH', path: dep(id), body: patch, idempotent: true })).deployment,
    async listDeployments(filter) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
      return (await send<{ deployments: Deployment[] }>({ method: 'GET', path: `/api/v1/deployments?${q}`, idempotent: true, environment: filter.environment })).deployments;
    },
    async appendJournal(events) {
      if (events.length === 0) return [];
      const other = events.find((e) => e.deploymentId !== events[0].deploymentId);
      if (other !== undefined) throw new TypeError(`journal events of one write must share a deployment: ${other.deploymentId} and ${events[0].deploymentId}`);
      const body = { events: events.map(({ deploymentId: _inPath, ...e }) => e) };
      return (await send<{ events: JournalEvent[] }>({ method: 'POST', path: `${dep(events[0].deploymentId)}/journal`, body, idempotent: false })).events;
    },
    listJournal: async (id) => (await send<{ events: JournalEvent[] }>({ method: 'GET', path: `${dep(id)}/journal`, idempotent: true })).events,
    close: async () => undefined,
  };
}

/** The server never sends owner tokens; the port's type has one, so it is empty here. */
function withoutOwner(holder: LockHolder | null): LockHolder | null {
  return holder === null ? null : { ...holder, ownerToken: '' };
}

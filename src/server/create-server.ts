/**
 * The control plane as a value: createServer(deps) builds the Hono app, the
 * fleet monitor and the agent stream from their dependencies, binding no
 * socket (src/server/listen.ts does that). Routes run in-process with
 * `app.request(...)`.
 *
 * Every error is answered as `{ error: { code, message } }` here, in one
 * place; an unexpected one is logged through the `log` port and answered 500
 * without details. Must never write to the process's stdout/stderr itself.
 */
import { Hono } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '../config/index.js';
import type { GitHubClient } from '../github/client.js';
import type { Store } from '../store/index.js';
import { createAgentStream } from './agent-stream.js';
import { ApiError, errorBody } from './api-error.js';
import { limitBodies } from './body-limit.js';
import { createAuthenticator, type ApiToken } from './auth.js';
import type { ServerContext } from './context.js';
import { FleetMonitor, type Log, type Scheduler } from './fleet-monitor.js';
import { createGithubPoll, type GithubPoll, type Timer } from './github-poll.js';
import { createJobFailover } from './job-failover.js';
import { createRunFailover, type RunFailoverOptions } from './run-failover.js';
import { dashboardRoutes, maskJsonResponses } from './dashboard/index.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { buildRoster } from './roster.js';
import { deploymentRoutes } from './routes/deployments.js';
import { createStoreWatch, type StoreWatch } from './store-watch.js';
import { lockRoutes } from './routes/locks.js';
import { jobRoutes } from './routes/jobs.js';
import { runnerRoutes } from './routes/runners.js';
import { tokenRoutes } from './routes/tokens.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface ServerDeps {
  config: Config;
  store: Store;
  /** server.tokens with their values. With none, and none ever made in the store, nothing is authenticated (loopback only, see listen.ts). */
  tokens?: readonly ApiToken[];
  /** The GitHub webhook secret; without it every delivery is refused. */
  webhookSecret?: string;
  github?: GitHubClient;
  now?: () => number;
  log?: Log;
  metrics?: ServerMetrics;
  /** Silence check period (default 250 ms), and the scheduler of the silence check and the store watcher. */
  tickMs?: number;
  schedule?: Scheduler;
  /** Agent ping period (default 5 s). */
  pingEveryMs?: number;
  /** Masks secrets in every dashboard page and API answer (default: none). `pitcrew server` passes the masker's. */
  mask?: (text: string) => string;
  /** How often the dashboard's event stream looks for changes (default 1 s). */
  dashboardEveryMs?: number;
  /** How often deploy metrics are read from the store (default 1 s). */
  storeWatchEveryMs?: number;
  /** How the run failover waits for a cancelled run (default: 1 s growing to 15 s, for at most 10 min). */
  runFailover?: RunFailoverOptions;
  /** The GitHub runners poll's one-shot timer (default setTimeout). */
  pollTimer?: Timer;
}

export interface PitcrewServer {
  app: Hono;
  fleet: FleetMonitor;
  metrics: ServerMetrics;
  /** Reads finished deploys, lock gauges and open incidents from the store into the metrics. */
  storeWatch: StoreWatch;
  /** Polls GitHub's runners list; absent without GitHub access or with github.pollInterval 0s. */
  githubPoll?: GithubPoll;
  /** Resolves when every run failover started so far has finished. */
  failoversSettled(): Promise<void>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Whether requests need a token: server.tokens, or any token ever made in the store (see auth.ts). */
  authEnabled(): Promise<boolean>;
  /** Syncs the configured runners into the store and starts the fleet timer and the store watcher. */
  start(): Promise<void>;
  /** Closes agent connections, stops the timers and waits for store writes. Leaves the store open. */
  stop(): Promise<void>;
}

/**
 * @example
 *   const server = createServer({ config, store, tokens });
 *   await server.start();
 *   const res = await server.app.request('/api/v1/runners', { headers: { authorization: 'Bearer ...' } });
 */
export function createServer(deps: ServerDeps): PitcrewServer {
  const now = deps.now ?? (() => Date.now());
  const log: Log = deps.log ?? (() => undefined);
  const metrics = deps.metrics ?? createServerMetrics(deps.config, deps.now);
  const auth = createAuthenticator({ tokens: deps.tokens ?? [], store: deps.store, now });
  const fleet = new FleetMonitor({ roster: buildRoster(deps.config), store: deps.store, now, log, metrics, tickMs: deps.tickMs, schedule: deps.schedule });
  const s: ServerContext = { config: deps.config, store: deps.store, now, log, auth, fleet, metrics, github: deps.github, webhookSecret: deps.webhookSecret };
  const runs = createRunFailover(s, deps.runFailover);
  fleet.onLost((runner, job, reasons) => runs.onRunnerLost(runner, job, reasons));
  const failover = createJobFailover(s, runs);
  const pollEvery = deps.config.github?.pollInterval ?? 0;
  const githubPoll = deps.github && pollEvery > 0 ? createGithubPoll({ github: deps.github, fleet, intervalMs: pollEvery, now, log, timer: deps.pollTimer }) : undefined;
  const storeWatch = createStoreWatch({
    store: deps.store, metrics: metrics.catalogue, environments: Object.keys(deps.config.environments), now, log, everyMs: deps.storeWatchEveryMs, schedule: deps.schedule,
  });
  const stream = createAgentStream({ fleet, auth, log, metrics, pingEveryMs: deps.pingEveryMs });

  const app = new Hono();
  app.use(limitBodies());
  if (deps.mask) app.use('/api/*', maskJsonResponses(deps.mask));
  app.get('/healthz', (c) => c.json({ ok: true, project: deps.config.project, store: deps.store.backend }));
  app.get('/metrics', async (c) => {
    await s.auth.authenticate(c.req.header('authorization'), 'read');
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });
  runnerRoutes(app, s);
  jobRoutes(app, s);
  lockRoutes(app, s);
  deploymentRoutes(app, s);
  webhookRoutes(app, s, failover);
  tokenRoutes(app, s);
  const dashboard = dashboardRoutes(app, { config: deps.config, store: deps.store, fleet, now, auth, mask: deps.mask ?? ((text) => text), eventsEveryMs: deps.dashboardEveryMs });
  app.notFound((c) => c.json(errorBody('not-found', `no route ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}; see docs/server.md`), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status);
    log('request failed', { method: c.req.method, path: new URL(c.req.url).pathname.slice(0, 100), error: err.message });
    return c.json(errorBody('internal', 'the server failed to answer; its log says why'), 500);
  });

  return {
    app,
    fleet,
    metrics,
    storeWatch,
    githubPoll,
    failoversSettled: () => runs.settled(),
    handleUpgrade: (req, socket, head) => stream.handleUpgrade(req, socket, head),
    authEnabled: () => auth.enabled(),
    async start() {
      await fleet.start();
      await failover.loadPastReruns();
      await storeWatch.start();
      githubPoll?.start();
    },
    async stop() {
      stream.close();
      dashboard.close();
      await githubPoll?.stop();
      await runs.stop();
      await storeWatch.stop();
      await fleet.stop();
    },
  };
}

/**
 * The metrics the server serves on its /metrics endpoint, on a registry of its
 * own. `runner` and `environment` labels only ever hold names from the
 * configuration (anything else becomes `other`); every other label is a fixed
 * enum. Must never label a series with a deployment id, SHA, actor or token.
 */
import { Registry, collectDefaultMetrics, type Counter, type Gauge, type Histogram } from 'prom-client';
import type { RunnerState } from '../fleet/health.js';
import { DEPLOY_RESULTS, GITHUB_STATUSES, ROLLBACK_REASONS, RUNNER_STATES, SERVER_METRIC_DEFS as D } from './catalogue.js';
import { LabelGuard, type LabelDomain } from './label-guard.js';
import { combinations, metricFactory, zeroFill } from './factory.js';

export interface ServerMetricsOptions extends Partial<LabelDomain> {
  /** Clock for heartbeat ages (ms since epoch). */
  now?: () => number;
  /** Register Node's process metrics too. Default true. */
  defaultMetrics?: boolean;
}

/** One runner as the fleet sees it right now. */
export interface FleetSnapshotEntry {
  name: string;
  state: RunnerState;
  /** Environments this runner may deploy to. */
  environments: readonly string[];
  /** When its last heartbeat arrived (ms since epoch); undefined if never. */
  lastHeartbeatAt?: number;
}

export interface ServerMetrics {
  registry: Registry;
  guard: LabelGuard;
  runners: Gauge<'state' | 'environment'>;
  runnerState: Gauge<'runner' | 'state'>;
  runnerHeartbeatAge: Gauge<'runner'>;
  deploymentsTotal: Counter<'environment' | 'result'>;
  deploymentDuration: Histogram<'environment'>;
  rollbacksTotal: Counter<'environment' | 'reason'>;
  rollbackFailuresTotal: Counter<'environment'>;
  deployLockHeld: Gauge<'environment'>;
  deployLockWait: Histogram<'environment'>;
  deployQueueLength: Gauge<'environment'>;
  failoversTotal: Counter<'environment'>;
  githubJobQueue: Histogram<'runner'>;
  githubJobDuration: Histogram<'runner'>;
  githubApiRequestsTotal: Counter<'status'>;
  githubRateLimitRemaining: Gauge;
  webhooksReceivedTotal: Counter<'valid'>;
  incidentsOpen: Gauge;
  heartbeatHandling: Histogram;
  /** Replaces the fleet gauges (`pitcrew_runners`, `pitcrew_runner_state`, heartbeat ages) with this snapshot. */
  setFleet(snapshot: readonly FleetSnapshotEntry[]): void;
  /** Changes the configured runners and environments; new combinations start at 0. */
  setDomain(domain: Partial<LabelDomain>): void;
  /** Counts one GitHub API answer; `undefined` when no HTTP answer came back. */
  recordGithubRequest(status: number | undefined, rateLimitRemaining?: number): void;
  recordWebhook(valid: boolean): void;
}

/** `200` -> `2xx`, `429` -> `429`, no answer -> `network_error`. */
export function githubStatusLabel(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status)) return 'network_error';
  const code = String(status);
  if ((GITHUB_STATUSES as readonly string[]).includes(code)) return code;
  return status >= 200 && status < 600 ? `${Math.floor(status / 100)}xx` : 'network_error';
}

export function createServerMetrics(opts: ServerMetricsOptions = {}): ServerMetrics {
  const now = opts.now ?? (() => Date.now());
  const registry = new Registry();
  const guard = new LabelGuard(opts);
  const f = metricFactory(registry, guard);
  const heartbeats = new Map<string, number>();

  const m = {
    runners: f.gauge(D.runners),
    runnerState: f.gauge(D.runnerState),
    runnerHeartbeatAge: f.gauge(D.runnerHeartbeatAge, function () {
      this.reset();
      for (const [runner, at] of heartbeats) this.set({ runner }, Math.max(0, (now() - at) / 1000));
    }),
    deploymentsTotal: f.counter(D.deploymentsTotal),
    deploymentDuration: f.histogram(D.deploymentDuration),
    rollbacksTotal: f.counter(D.rollbacksTotal),
    rollbackFailuresTotal: f.counter(D.rollbackFailuresTotal),
    deployLockHeld: f.gauge(D.deployLockHeld),
    deployLockWait: f.histogram(D.deployLockWait),
    deployQueueLength: f.gauge(D.deployQueueLength),
    failoversTotal: f.counter(D.failoversTotal),
    githubJobQueue: f.histogram(D.githubJobQueue),
    githubJobDuration: f.histogram(D.githubJobDuration),
    githubApiRequestsTotal: f.counter(D.githubApiRequestsTotal),
    githubRateLimitRemaining: f.gauge(D.githubRateLimitRemaining),
    webhooksReceivedTotal: f.counter(D.webhooksReceivedTotal),
    incidentsOpen: f.gauge(D.incidentsOpen),
    heartbeatHandling: f.histogram(D.heartbeatHandling),
  };

  const fillZeros = () => {
    const environment = guard.allowed('environment');
    const runner = guard.allowed('runner');
    zeroFill(m.runners, combinations({ state: RUNNER_STATES, environment }));
    zeroFill(m.runnerState, combinations({ runner, state: RUNNER_STATES }));
    zeroFill(m.deploymentsTotal, combinations({ environment, result: DEPLOY_RESULTS }));
    zeroFill(m.rollbacksTotal, combinations({ environment, reason: ROLLBACK_REASONS }));
    for (const metric of [m.deploymentDuration, m.deployLockWait, m.rollbackFailuresTotal, m.deployLockHeld, m.deployQueueLength, m.failoversTotal]) {
      zeroFill(metric, combinations({ environment }));
    }
  };
  // Unknown until GitHub answers once; NaN keeps GitHubRateLimitLow quiet meanwhile.
  m.githubRateLimitRemaining.set(NaN);
  zeroFill(m.githubApiRequestsTotal, combinations({ status: ['2xx', '4xx', '5xx', '403', '429'] }));
  zeroFill(m.webhooksReceivedTotal, combinations({ valid: ['true', 'false'] }));
  fillZeros();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  return {
    registry,
    guard,
    ...m,
    setFleet(snapshot) {
      const known = new Set(guard.allowed('runner'));
      m.runners.reset();
      m.runnerState.reset();
      heartbeats.clear();
      fillZeros();
      for (const r of snapshot) {
        for (const environment of new Set(r.environments)) m.runners.inc({ state: r.state, environment });
        // A runner missing from the configuration has no series of its own: folding
        // several into `other` would make a one-hot state gauge meaningless.
        if (!known.has(r.name)) continue;
        for (const s of RUNNER_STATES) m.runnerState.set({ runner: r.name, state: s }, s === r.state ? 1 : 0);
        if (r.lastHeartbeatAt !== undefined) heartbeats.set(r.name, r.lastHeartbeatAt);
      }
    },
    setDomain(domain) {
      guard.setDomain(domain);
      fillZeros();
    },
    recordGithubRequest(status, rateLimitRemaining) {
      m.githubApiRequestsTotal.inc({ status: githubStatusLabel(status) });
      if (rateLimitRemaining !== undefined && Number.isFinite(rateLimitRemaining)) m.githubRateLimitRemaining.set(rateLimitRemaining);
    },
    recordWebhook(valid) {
      m.webhooksReceivedTotal.inc({ valid: valid ? 'true' : 'false' });
    },
  };
}

/**
 * The server's metrics port: the few calls the control plane makes, backed by
 * the catalogued series of src/observability (one private registry per
 * server, never the global one). Label values are runner and environment
 * names from the configuration and fixed words, guarded against anything else.
 */
import type { Config } from '../config/index.js';
import type { RunnerState } from '../fleet/health.js';
import { createServerMetrics as createCatalogue, type ServerMetrics as CatalogueMetrics } from '../observability/server-metrics.js';
import type { Registry } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  /** Every catalogued server series, for the parts (deploys, locks, incidents) that update them directly. */
  readonly catalogue: CatalogueMetrics;
  runnerState(runner: string, state: RunnerState): void;
  heartbeat(runner: string, at: number): void;
  /** How long one heartbeat took to handle, frame received to ack sent. */
  heartbeatHandled(seconds: number): void;
  failover(environment: string): void;
  /** A job started on `runner` after waiting `queueMs` for a runner. */
  jobQueued(runner: string, queueMs: number): void;
  /** A job finished on `runner` after running `durationMs`. */
  jobFinished(runner: string, durationMs: number): void;
  webhook(valid: boolean): void;
  githubResponse(status: number, rateLimitRemaining?: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createServerMetrics(config?: Pick<Config, 'runners' | 'environments'>, now: () => number = Date.now): ServerMetrics {
  const runnerEnvs = new Map((config?.runners ?? []).map((r) => [r.name, environmentsOf(config, r.name, r.environments)]));
  const catalogue = createCatalogue({
    runners: config ? config.runners.map((r) => r.name) : undefined,
    environments: config ? Object.keys(config.environments) : undefined,
    now,
  });
  const fleet = new Map<string, { state: RunnerState; lastHeartbeatAt?: number }>();
  // The fleet gauges are rebuilt when scraped, not at each state change: rebuilding is linear in the fleet.
  const publish = () =>
    catalogue.setFleet([...fleet].map(([name, r]) => ({ name, state: r.state, lastHeartbeatAt: r.lastHeartbeatAt, environments: runnerEnvs.get(name) ?? [] })));
  return {
    registry: catalogue.registry,
    catalogue,
    runnerState(runner, state) {
      fleet.set(runner, { ...fleet.get(runner), state });
    },
    heartbeat(runner, at) {
      const r = fleet.get(runner);
      if (r) r.lastHeartbeatAt = at;
    },
    heartbeatHandled: (seconds) => catalogue.heartbeatHandling.observe(seconds),
    failover: (environment) => catalogue.failoversTotal.inc({ environment }),
    jobQueued: (runner, ms) => catalogue.githubJobQueue.observe({ runner }, ms / 1000),
    jobFinished: (runner, ms) => catalogue.githubJobDuration.observe({ runner }, ms / 1000),
    webhook: (valid) => catalogue.recordWebhook(valid),
    githubResponse: (status, remaining) => catalogue.recordGithubRequest(status, remaining),
    async render() {
      publish();
      return { contentType: catalogue.registry.contentType, body: await catalogue.registry.metrics() };
    },
  };
}

/** A runner may deploy to the environments it lists and those that list it. */
function environmentsOf(config: Pick<Config, 'environments'> | undefined, runner: string, own: readonly string[]): string[] {
  const envs = new Set(own);
  for (const [name, env] of Object.entries(config?.environments ?? {})) {
    if ((env as { runners?: string[] }).runners?.includes(runner)) envs.add(name);
  }
  return [...envs];
}

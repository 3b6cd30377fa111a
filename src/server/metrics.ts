/**
 * The server's own Prometheus series, on a private registry (never the
 * global one, so two servers in one process, as in tests, do not collide).
 * Label values are runner and environment names from the configuration and
 * fixed words; never a token, a URL or free text.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { RunnerState } from '../fleet/health.js';

const STATES: readonly RunnerState[] = ['online', 'degraded', 'offline'];

export interface ServerMetrics {
  readonly registry: Registry;
  runnerState(runner: string, state: RunnerState): void;
  failover(environment: string): void;
  webhook(valid: boolean): void;
  githubResponse(status: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const state = new Gauge({
    name: 'pitcrew_runner_state',
    help: 'Runner health state: 1 for the state the runner is in, 0 for the others.',
    labelNames: ['runner', 'state'] as const,
    registers: [registry],
  });
  const failovers = new Counter({
    name: 'pitcrew_failovers_total',
    help: 'Jobs re-run on another runner because their runner went offline.',
    labelNames: ['environment'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'pitcrew_webhooks_received_total',
    help: 'GitHub webhook deliveries received, by whether the signature was valid.',
    labelNames: ['valid'] as const,
    registers: [registry],
  });
  const github = new Counter({
    name: 'pitcrew_github_api_requests_total',
    help: 'GitHub API responses, by HTTP status (0: no response).',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  return {
    registry,
    runnerState(runner, current) {
      for (const s of STATES) state.set({ runner, state: s }, s === current ? 1 : 0);
    },
    failover: (environment) => failovers.inc({ environment }),
    webhook: (valid) => webhooks.inc({ valid: String(valid) }),
    githubResponse: (status) => github.inc({ status: String(status) }),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

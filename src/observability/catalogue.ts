/**
 * The one list of every metric pitcrew exports: name, type, unit, labels and
 * what each label may hold. The agent and server registries, the alert rules,
 * the dashboards and docs/metrics.md are all checked against this list.
 * A label here must never be able to carry a secret, a job id, a SHA or any
 * other unbounded value: every label is a fixed enum or a configured name.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Base unit; the name must end in it (`_seconds`, `_bytes`, `_ratio`, `_timestamp_seconds`). */
export type MetricUnit = 'seconds' | 'bytes' | 'ratio' | 'timestamp_seconds' | 'count' | 'boolean' | 'per_core';

/** What a label value may be: one of a fixed set, or a name from the configuration. */
export type LabelRule = { enum: readonly string[] } | 'runner' | 'environment';

export interface MetricDef {
  name: string;
  type: MetricType;
  unit: MetricUnit;
  help: string;
  labels: Readonly<Record<string, LabelRule>>;
  buckets?: readonly number[];
  /** Which process registers it. */
  process: 'agent' | 'server';
}

/** The value every label falls back to when what it was given is not allowed. */
export const OTHER = 'other';

export const RUNNER_STATES = ['online', 'degraded', 'offline'] as const;
export const JOB_RESULTS = ['success', 'failure', 'cancelled'] as const;
export const PROBE_LABELS = ['runner-service', 'disk', 'memory', 'load', 'clock-skew', 'tcp'] as const;
export const DEPLOY_RESULTS = ['succeeded', 'failed', 'cancelled'] as const;
export const ROLLBACK_REASONS = ['health_check', 'smoke_test', 'step_failed', 'interrupted', 'manual'] as const;
/** Status classes, plus the codes that mean something specific for GitHub (auth, rate limit, validation). */
export const GITHUB_STATUSES = ['2xx', '3xx', '4xx', '5xx', '401', '403', '404', '422', '429', 'network_error'] as const;
export const WEBHOOK_VALIDITY = ['true', 'false'] as const;

/**
 * Bucket bounds for durations from 1 s to 1 h. 600 s (the 10-minute deploy
 * objective) sits exactly on a bound, so `histogram_quantile(0.95, ...) > 600`
 * is true exactly when more than 5% of deploys took longer than 10 minutes.
 */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const LOCK_WAIT_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800] as const;
/** Bucket bounds for the server's handling of one heartbeat; 0.02 s is the objective's bound. */
export const HEARTBEAT_HANDLING_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1] as const;

const e = <T extends readonly string[]>(values: T) => ({ enum: values });

export const AGENT_METRIC_DEFS = {
  runnerUp: { name: 'pitcrew_runner_up', type: 'gauge', unit: 'boolean', help: '1 when the runner service is running on this host, 0 when it is not.', labels: {}, process: 'agent' },
  runnerState: { name: 'pitcrew_runner_state', type: 'gauge', unit: 'boolean', help: "The agent's view of the runner: 1 for the current state, 0 for the others.", labels: { state: e(RUNNER_STATES) }, process: 'agent' },
  jobsTotal: { name: 'pitcrew_runner_jobs_total', type: 'counter', unit: 'count', help: 'Jobs this runner finished, by result.', labels: { result: e(JOB_RESULTS) }, process: 'agent' },
  jobDuration: { name: 'pitcrew_runner_job_duration_seconds', type: 'histogram', unit: 'seconds', help: 'How long the jobs this runner finished took.', labels: {}, buckets: DURATION_BUCKETS, process: 'agent' },
  diskFreeBytes: { name: 'pitcrew_runner_disk_free_bytes', type: 'gauge', unit: 'bytes', help: "Bytes free to unprivileged users on the runner work directory's filesystem.", labels: {}, process: 'agent' },
  diskFreeRatio: { name: 'pitcrew_runner_disk_free_ratio', type: 'gauge', unit: 'ratio', help: "Share of the runner work directory's filesystem free to unprivileged users (0..1).", labels: {}, process: 'agent' },
  memoryAvailableRatio: { name: 'pitcrew_runner_memory_available_ratio', type: 'gauge', unit: 'ratio', help: 'MemAvailable / MemTotal on the runner host (0..1).', labels: {}, process: 'agent' },
  loadPerCore: { name: 'pitcrew_runner_load_per_core', type: 'gauge', unit: 'per_core', help: '1-minute load average divided by the number of cores.', labels: {}, process: 'agent' },
  probeFailuresTotal: { name: 'pitcrew_runner_probe_failures_total', type: 'counter', unit: 'count', help: 'Probe runs that returned ok=false, by probe (all tcp:* probes count as tcp).', labels: { probe: e(PROBE_LABELS) }, process: 'agent' },
  lastHeartbeat: { name: 'pitcrew_agent_last_heartbeat_timestamp_seconds', type: 'gauge', unit: 'timestamp_seconds', help: 'When the agent last delivered a heartbeat to the server (Unix seconds).', labels: {}, process: 'agent' },
} as const satisfies Record<string, MetricDef>;

export const SERVER_METRIC_DEFS = {
  runners: { name: 'pitcrew_runners', type: 'gauge', unit: 'count', help: 'Runners authorized for each environment, by state.', labels: { state: e(RUNNER_STATES), environment: 'environment' }, process: 'server' },
  runnerState: { name: 'pitcrew_runner_state', type: 'gauge', unit: 'boolean', help: "The server's view of each configured runner: 1 for the current state, 0 for the others.", labels: { runner: 'runner', state: e(RUNNER_STATES) }, process: 'server' },
  runnerHeartbeatAge: { name: 'pitcrew_runner_last_heartbeat_age_seconds', type: 'gauge', unit: 'seconds', help: "Seconds since the server last received the runner's heartbeat.", labels: { runner: 'runner' }, process: 'server' },
  deploymentsTotal: { name: 'pitcrew_deployments_total', type: 'counter', unit: 'count', help: 'Finished deployments, by environment and result.', labels: { environment: 'environment', result: e(DEPLOY_RESULTS) }, process: 'server' },
  deploymentDuration: { name: 'pitcrew_deployment_duration_seconds', type: 'histogram', unit: 'seconds', help: 'Wall-clock time of finished deployments, lock wait excluded.', labels: { environment: 'environment' }, buckets: DURATION_BUCKETS, process: 'server' },
  rollbacksTotal: { name: 'pitcrew_rollbacks_total', type: 'counter', unit: 'count', help: 'Rollbacks started, by environment and reason.', labels: { environment: 'environment', reason: e(ROLLBACK_REASONS) }, process: 'server' },
  rollbackFailuresTotal: { name: 'pitcrew_rollback_failures_total', type: 'counter', unit: 'count', help: 'Rollbacks that did not bring every target back on its previous release.', labels: { environment: 'environment' }, process: 'server' },
  deployLockHeld: { name: 'pitcrew_deploy_lock_held', type: 'gauge', unit: 'boolean', help: "1 while the environment's deploy lock is held.", labels: { environment: 'environment' }, process: 'server' },
  deployLockWait: { name: 'pitcrew_deploy_lock_wait_seconds', type: 'histogram', unit: 'seconds', help: 'How long deploys waited for the environment lock before it was granted.', labels: { environment: 'environment' }, buckets: LOCK_WAIT_BUCKETS, process: 'server' },
  deployQueueLength: { name: 'pitcrew_deploy_queue_length', type: 'gauge', unit: 'count', help: "Deploys waiting in the environment's lock queue.", labels: { environment: 'environment' }, process: 'server' },
  failoversTotal: { name: 'pitcrew_failovers_total', type: 'counter', unit: 'count', help: 'Deploy jobs re-run on another runner because theirs went offline.', labels: { environment: 'environment' }, process: 'server' },
  githubJobQueue: { name: 'pitcrew_github_job_queue_seconds', type: 'histogram', unit: 'seconds', help: 'How long GitHub Actions jobs waited for a runner (started_at - created_at), by the runner that took them.', labels: { runner: 'runner' }, buckets: LOCK_WAIT_BUCKETS, process: 'server' },
  githubJobDuration: { name: 'pitcrew_github_job_duration_seconds', type: 'histogram', unit: 'seconds', help: 'How long GitHub Actions jobs ran (completed_at - started_at), by runner, from the workflow_job webhooks.', labels: { runner: 'runner' }, buckets: DURATION_BUCKETS, process: 'server' },
  githubApiRequestsTotal: { name: 'pitcrew_github_api_requests_total', type: 'counter', unit: 'count', help: 'GitHub REST API requests, by status class (or code for 401/403/404/422/429).', labels: { status: e(GITHUB_STATUSES) }, process: 'server' },
  githubRateLimitRemaining: { name: 'pitcrew_github_rate_limit_remaining', type: 'gauge', unit: 'count', help: 'x-ratelimit-remaining from the latest GitHub API answer.', labels: {}, process: 'server' },
  webhooksReceivedTotal: { name: 'pitcrew_webhooks_received_total', type: 'counter', unit: 'count', help: 'GitHub webhooks received, by whether the signature was valid.', labels: { valid: e(WEBHOOK_VALIDITY) }, process: 'server' },
  heartbeatHandling: { name: 'pitcrew_server_heartbeat_handling_seconds', type: 'histogram', unit: 'seconds', help: 'Time from an agent heartbeat frame received to its state evaluated and acknowledged.', labels: {}, buckets: HEARTBEAT_HANDLING_BUCKETS, process: 'server' },
  incidentsOpen: { name: 'pitcrew_incidents_open', type: 'gauge', unit: 'count', help: 'Incidents opened and not yet resolved.', labels: {}, process: 'server' },
} as const satisfies Record<string, MetricDef>;

/** Every metric definition, agent's first. */
export const METRIC_CATALOGUE: readonly MetricDef[] = [...Object.values(AGENT_METRIC_DEFS), ...Object.values(SERVER_METRIC_DEFS)];

/** Every distinct metric name in the catalogue, sorted. */
export function catalogueNames(): string[] {
  return [...new Set(METRIC_CATALOGUE.map((d) => d.name))].sort();
}

/** Every series name a scrape can yield for the catalogue (histograms add `_bucket`, `_sum`, `_count`). */
export function catalogueSeriesNames(): Set<string> {
  const out = new Set<string>();
  for (const d of METRIC_CATALOGUE) {
    if (d.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(d.name + s);
    else out.add(d.name);
  }
  return out;
}

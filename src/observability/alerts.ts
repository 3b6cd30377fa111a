/**
 * Every alert pitcrew ships and the recording rules they build on, as data.
 * rules.ts renders them to Prometheus YAML, rules-tests.ts proves each one with
 * promtool, and docs/runbooks/<slug>.md explains what to do when it fires.
 * Annotations may only use `{{ $labels.<name> }}`: the test generator expands
 * exactly that and refuses anything else.
 */
import { formatDuration, scaleDuration } from './durations.js';
import { scrapeJobs, type ResolvedExportOptions, type ScrapeJobs } from './export-options.js';

export type Severity = 'critical' | 'warning';

export interface AlertDef {
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  /** Labels besides `severity` that tell apart rules sharing an alert name. */
  labels?: Record<string, string>;
  summary: string;
  description: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export const SUCCESS_RATIO_RULE = 'pitcrew:deploy_success_ratio:7d';
export const DURATION_P95_RULE = 'pitcrew:deploy_duration_seconds:p95_7d';

/** The objectives the alerts and dashboards are drawn against. */
export const OBJECTIVES = { successRatio: 0.95, durationP95Seconds: 600 } as const;

/** DeployFailureRateHigh: more than this share of an hour's deploys failed, and at least `minFailures` of them. */
export const FAILURE_RATE = { ratio: 0.25, window: '1h', minFailures: 2 } as const;

/** AgentHeartbeatStale: seconds since the agent's last accepted heartbeat. */
export const HEARTBEAT_STALE_SECONDS = 60;

/** Environments grouped by deploy lock TTL, shortest TTL first, names sorted: one DeployLockHeldTooLong rule per group. */
export function lockTtlGroups(o: ResolvedExportOptions): Array<{ ttlMs: number; environments: string[] }> {
  const byTtl = new Map<number, string[]>();
  for (const env of o.environments) {
    const ttl = o.lockTtlMs[env]!;
    byTtl.set(ttl, [...(byTtl.get(ttl) ?? []), env]);
  }
  return [...byTtl.entries()].sort(([a], [b]) => a - b).map(([ttlMs, environments]) => ({ ttlMs, environments: environments.sort() }));
}

/** A PromQL regex matching exactly these names (which hold only letters, digits, `.`, `-`, `_`). */
function exactly(names: readonly string[]): string {
  return names.map((n) => n.replaceAll('.', '\\\\.')).join('|');
}

/** `RunnerOffline` -> `runner-offline`: the runbook's file name. */
export function runbookSlug(alert: string): string {
  return alert.replace(/GitHub/g, 'Github').replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

export function recordingRules(j: ScrapeJobs): RecordingRule[] {
  const deploys = `pitcrew_deployments_total{job="${j.server}"`;
  return [
    {
      record: SUCCESS_RATIO_RULE,
      expr: `sum by (environment) (increase(${deploys},result="succeeded"}[7d]))\n/\nsum by (environment) (increase(${deploys},result!="cancelled"}[7d]))`,
    },
    {
      record: DURATION_P95_RULE,
      expr: `histogram_quantile(0.95, sum by (environment, le) (increase(pitcrew_deployment_duration_seconds_bucket{job="${j.server}"}[7d])))`,
    },
  ];
}

export interface AlertGroup {
  name: string;
  alerts: AlertDef[];
}

/** The alert groups for an installation, with every `for:` multiplied by its `forScale`. */
export function alertGroups(o: ResolvedExportOptions): AlertGroup[] {
  return unscaledAlertGroups(o).map((g) => ({
    name: g.name,
    alerts: g.alerts.map((a) => (a.for ? { ...a, for: scaleDuration(a.for, o.forScale) } : a)),
  }));
}

function unscaledAlertGroups(o: ResolvedExportOptions): AlertGroup[] {
  const j = scrapeJobs(o.jobPrefix);
  const a = `job="${j.agents}"`;
  const s = `job="${j.server}"`;
  const deploys = `pitcrew_deployments_total{${s}`;
  // A target that vanished has no `up` at all, so `up == 0` would resolve by itself: every configured runner is also checked for presence.
  const missing = o.runners.map((r) => `max by (runner) (absent(up{${a},runner="${r.name}"}))`).join('\nor\n');
  return [
    {
      name: 'pitcrew-runners',
      alerts: [
        {
          alert: 'RunnerOffline', for: '30s', severity: 'critical',
          expr: `max by (runner) (pitcrew_runner_state{${s},state="offline"}) == 1\nor\nmax by (runner) (up{${a}}) == 0\nor\n${missing}`,
          summary: 'Runner {{ $labels.runner }} is offline',
          description: 'The pitcrew server has marked runner {{ $labels.runner }} offline, Prometheus cannot scrape its agent, or its agent is missing from the scrape targets, for 30 s. Deploys are routed to other runners; jobs already on it may fail.',
        },
        {
          alert: 'AgentHeartbeatStale', for: '1m', severity: 'warning',
          expr: `max by (runner) (time() - pitcrew_agent_last_heartbeat_timestamp_seconds{${a}}) > ${HEARTBEAT_STALE_SECONDS}`,
          summary: "Runner {{ $labels.runner }}'s agent is not getting heartbeats through",
          description: `The agent of runner {{ $labels.runner }} answers Prometheus, but its last heartbeat accepted by the pitcrew server is over ${HEARTBEAT_STALE_SECONDS} s old, for 1 min. The server will rate the runner offline; the network or the token between agent and server is the usual cause.`,
        },
        {
          alert: 'RunnerDegraded', for: '2m', severity: 'warning',
          expr: `max by (runner) (pitcrew_runner_state{${s},state="degraded"}) == 1`,
          summary: 'Runner {{ $labels.runner }} is degraded',
          description: 'The pitcrew server has rated runner {{ $labels.runner }} degraded for 2 min (disk, memory, load or a failing probe). It is passed over for deploys while a healthy runner exists; `pitcrew doctor` names the reason.',
        },
        {
          alert: 'RunnerDiskLow', for: '5m', severity: 'warning',
          expr: `max by (runner) (pitcrew_runner_disk_free_ratio{${a}}) < 0.10\nor\nmax by (runner) (pitcrew_runner_disk_free_bytes{${a}}) < 1073741824`,
          summary: 'Runner {{ $labels.runner }} work directory is low on disk',
          description: "Less than 10% or 1 GiB is free on the filesystem of runner {{ $labels.runner }}'s work directory for 5 min. Jobs may fail to check out or build.",
        },
        {
          alert: 'RunnerDiskFull', for: '2m', severity: 'critical',
          expr: `max by (runner) (pitcrew_runner_disk_free_ratio{${a}}) < 0.03\nor\nmax by (runner) (pitcrew_runner_disk_free_bytes{${a}}) < 268435456`,
          summary: 'Runner {{ $labels.runner }} work directory is nearly full',
          description: "Less than 3% or 256 MiB is free on the filesystem of runner {{ $labels.runner }}'s work directory for 2 min. Jobs on it will fail; free space now.",
        },
        {
          alert: 'RunnerHighLoad', for: '10m', severity: 'warning',
          expr: `max by (runner) (pitcrew_runner_load_per_core{${a}}) > 4`,
          summary: 'Runner {{ $labels.runner }} is overloaded',
          description: 'The 1-minute load average per core on runner {{ $labels.runner }} has been above 4 for 10 min. Jobs run slowly and deploys may time out.',
        },
        {
          alert: 'RunnerMemoryLow', for: '5m', severity: 'warning',
          expr: `max by (runner) (pitcrew_runner_memory_available_ratio{${a}}) < 0.05`,
          summary: 'Runner {{ $labels.runner }} is low on memory',
          description: 'Less than 5% of memory has been available on runner {{ $labels.runner }} for 5 min. The kernel may kill the runner or the job.',
        },
        {
          alert: 'NoHealthyRunnerForEnvironment', for: '1m', severity: 'critical',
          expr: `sum by (environment) (pitcrew_runners{${s},state="online",environment!="other"}) == 0`,
          summary: 'No online runner can deploy to {{ $labels.environment }}',
          description: 'Every runner authorized for environment {{ $labels.environment }} has been degraded or offline for 1 min. Deploys to it will wait or fail until one recovers.',
        },
      ],
    },
    {
      name: 'pitcrew-deploys',
      alerts: [
        {
          alert: 'DeployFailed', severity: 'warning',
          expr: `sum by (environment) (increase(pitcrew_deployments_total{${s},result="failed"}[15m])) > 0`,
          summary: 'A deploy to {{ $labels.environment }} failed',
          description: "At least one deploy to environment {{ $labels.environment }} failed in the last 15 min. Its targets were rolled back; the deployment's journal on the pitcrew dashboard shows which step failed.",
        },
        {
          alert: 'DeployFailureRateHigh', severity: 'warning',
          expr: `(\n  sum by (environment) (increase(${deploys},result="failed"}[${FAILURE_RATE.window}]))\n/\n  sum by (environment) (increase(${deploys},result!="cancelled"}[${FAILURE_RATE.window}]))\n) > ${FAILURE_RATE.ratio}\nand\nsum by (environment) (increase(${deploys},result="failed"}[${FAILURE_RATE.window}])) >= ${FAILURE_RATE.minFailures}`,
          summary: 'Deploys to {{ $labels.environment }} fail often',
          description: `More than ${FAILURE_RATE.ratio * 100}% of the deploys to environment {{ $labels.environment }} in the last hour failed (at least ${FAILURE_RATE.minFailures}; cancelled deploys not counted). Look for a common cause before deploying again.`,
        },
        {
          alert: 'RollbackFailed', severity: 'critical',
          expr: `sum by (environment) (increase(pitcrew_rollback_failures_total{${s}}[1h])) > 0`,
          summary: 'A rollback in {{ $labels.environment }} did not complete',
          description: 'A rollback in environment {{ $labels.environment }} did not bring every target back on its previous release in the last hour. Production may be running mixed releases: a human is needed.',
        },
        ...lockTtlGroups(o).map(({ ttlMs, environments }): AlertDef => ({
          alert: 'DeployLockHeldTooLong', for: formatDuration(ttlMs), severity: 'warning', labels: { lock_ttl: formatDuration(ttlMs) },
          expr: `max by (environment) (pitcrew_deploy_lock_held{${s},environment=~"${exactly(environments)}"}) == 1`,
          summary: `Deploy lock for {{ $labels.environment }} held longer than its TTL (${formatDuration(ttlMs)})`,
          description: `The deploy lock of environment {{ $labels.environment }} has been held for longer than its lock TTL of ${formatDuration(ttlMs)}. A deploy renews its lease while it runs, so this is either a very long deploy or a holder that is stuck; other deploys are queued behind it.`,
        })),
        {
          alert: 'DeployQueueBacklog', for: '10m', severity: 'warning',
          expr: `max by (environment) (pitcrew_deploy_queue_length{${s}}) >= 3`,
          summary: 'Deploys to {{ $labels.environment }} are piling up',
          description: 'Three or more deploys have been waiting for the lock of environment {{ $labels.environment }} for 10 min.',
        },
        {
          alert: 'DeploySuccessRateLow', for: '15m', severity: 'warning',
          expr: `${SUCCESS_RATIO_RULE} < ${OBJECTIVES.successRatio}`,
          summary: 'Deploy success rate for {{ $labels.environment }} is below 95%',
          description: 'Fewer than 95% of the deploys to environment {{ $labels.environment }} in the last 7 days succeeded (cancelled deploys not counted).',
        },
        {
          alert: 'DeployDurationP95High', for: '15m', severity: 'warning',
          expr: `${DURATION_P95_RULE} > ${OBJECTIVES.durationP95Seconds}`,
          summary: 'p95 deploy time for {{ $labels.environment }} is above 10 min',
          description: 'More than 5% of the deploys to environment {{ $labels.environment }} in the last 7 days took longer than 600 s.',
        },
        {
          alert: 'IncidentOpen', for: '1m', severity: 'warning',
          expr: `max(pitcrew_incidents_open{${s}}) > 0`,
          summary: 'pitcrew has an open incident',
          description: 'At least one pitcrew incident (a failed or interrupted deploy, a failover) is open. The pitcrew dashboard lists it with its cause.',
        },
      ],
    },
    {
      name: 'pitcrew-control-plane',
      alerts: [
        {
          alert: 'PitcrewServerDown', for: '1m', severity: 'critical',
          expr: `up{${s}} == 0`,
          summary: 'pitcrew server {{ $labels.instance }} cannot be scraped',
          description: 'Prometheus has not been able to scrape the pitcrew server at {{ $labels.instance }} for 1 min. Heartbeats, locks and deploys that need the server are failing.',
        },
        {
          alert: 'GitHubRateLimitLow', for: '5m', severity: 'warning',
          expr: `min(pitcrew_github_rate_limit_remaining{${s}}) < 200`,
          summary: 'GitHub API rate limit nearly used up',
          description: 'Fewer than 200 GitHub API requests have been left in the current rate-limit window for 5 min. Automatic re-runs and runner listing will fail when it reaches 0.',
        },
        {
          alert: 'WebhooksInvalid', severity: 'warning',
          expr: `sum(increase(pitcrew_webhooks_received_total{${s},valid="false"}[15m])) > 2`,
          summary: 'GitHub webhooks with a bad signature',
          description: 'More than 2 webhooks with an invalid signature arrived in the last 15 min. The webhook secret may differ between GitHub and pitcrew, or someone is sending forged requests.',
        },
      ],
    },
  ];
}

/** Every alert rule, in file order (DeployLockHeldTooLong once per lock TTL). */
export function allAlerts(o: ResolvedExportOptions): AlertDef[] {
  return alertGroups(o).flatMap((g) => g.alerts);
}

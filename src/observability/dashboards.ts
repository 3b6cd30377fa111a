/**
 * The two Grafana dashboards: runner health (is each runner fit to take a
 * deploy, and if not, why) and the deployment pipeline (the objectives: success
 * rate >= 95%, p95 duration <= 600 s, and what stands in their way).
 * Queries use only catalogue metrics, `up` and the recording rules.
 */
import { DURATION_P95_RULE, OBJECTIVES, SUCCESS_RATIO_RULE } from './alerts.js';
import { scrapeJobs, type ResolvedExportOptions } from './export-options.js';
import { dashboard, queryVariable, type PanelSpec } from './grafana-kit.js';

const STATE_MAPPINGS = [
  { value: 0, text: 'online', color: 'green' },
  { value: 1, text: 'degraded', color: 'orange' },
  { value: 2, text: 'offline', color: 'red' },
];

/** One number per runner: 0 online, 1 degraded, 2 offline (from the one-hot state gauge). */
function stateCode(selector: string): string {
  const one = (state: string) => `(pitcrew_runner_state{${selector},state="${state}"} == 1)`;
  return `max by (runner) (${one('online')} * 0 or ${one('degraded')} * 0 + 1 or ${one('offline')} * 0 + 2)`;
}

const RI = '$__rate_interval';

export function runnerHealthDashboard(o: ResolvedExportOptions) {
  const j = scrapeJobs(o.jobPrefix);
  const r = 'runner=~"$runner"';
  const panels: PanelSpec[] = [
    { type: 'state-timeline', title: "Runner state (server's view)", description: 'online / degraded / offline as the pitcrew server rates each runner from its heartbeats.', w: 24, h: 6, mappings: STATE_MAPPINGS, targets: [{ expr: stateCode(`job="${j.server}",${r}`), legend: '{{runner}}' }] },
    { type: 'state-timeline', title: "Runner state (agent's view)", description: "The server's verdict as the agent last heard it (from its heartbeat acknowledgements).", w: 12, h: 6, mappings: STATE_MAPPINGS, targets: [{ expr: stateCode(`job="${j.agents}",${r}`), legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Runners per environment, by state', description: 'Runners authorized for each environment, by state. No online runner for 1 min fires NoHealthyRunnerForEnvironment.', w: 12, h: 6, min: 0, thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }], thresholdLine: true, targets: [{ expr: `sum by (environment, state) (pitcrew_runners{job="${j.server}"})`, legend: '{{environment}} {{state}}' }] },
    { type: 'stat', title: 'Agent reachable', description: 'Whether Prometheus can scrape each agent (up).', w: 12, h: 4, mappings: [{ value: 0, text: 'down', color: 'red' }, { value: 1, text: 'up', color: 'green' }], targets: [{ expr: `up{job="${j.agents}",${r}}`, legend: '{{runner}}' }] },
    { type: 'stat', title: 'Runner service', description: 'Whether the GitHub Actions runner service runs on each host.', w: 12, h: 4, mappings: [{ value: 0, text: 'stopped', color: 'red' }, { value: 1, text: 'running', color: 'green' }], targets: [{ expr: `pitcrew_runner_up{${r}}`, legend: '{{runner}}' }] },
    {
      type: 'timeseries', title: 'Heartbeat age', description: 'Seconds since the last heartbeat, seen by the server and by the agent. Above 3 s the server rates the runner offline.', w: 12, unit: 's', min: 0,
      thresholds: [{ color: 'green', value: null }, { color: 'red', value: 3 }], thresholdLine: true,
      targets: [{ expr: `pitcrew_runner_last_heartbeat_age_seconds{${r}}`, legend: '{{runner}} (server)' }, { expr: `time() - pitcrew_agent_last_heartbeat_timestamp_seconds{${r}}`, legend: '{{runner}} (agent)' }],
    },
    { type: 'timeseries', title: 'Probe failures', description: 'Probe runs that failed, by probe (tcp covers every reachability probe).', w: 12, bars: true, targets: [{ expr: `sum by (runner, probe) (increase(pitcrew_runner_probe_failures_total{${r}}[${RI}]))`, legend: '{{runner}} {{probe}}' }] },
    { type: 'timeseries', title: 'Disk free (share)', description: 'Free share of the work directory filesystem; below 10% is degraded, below 3% critical.', w: 12, unit: 'percentunit', min: 0, max: 1, thresholds: [{ color: 'red', value: null }, { color: 'orange', value: 0.03 }, { color: 'green', value: 0.1 }], thresholdLine: true, targets: [{ expr: `pitcrew_runner_disk_free_ratio{${r}}`, legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Disk free (bytes)', description: 'Free bytes on the work directory filesystem; below 1 GiB is degraded.', w: 12, unit: 'bytes', min: 0, thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1073741824 }], thresholdLine: true, targets: [{ expr: `pitcrew_runner_disk_free_bytes{${r}}`, legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Memory available', description: 'MemAvailable / MemTotal; below 5% is degraded.', w: 12, unit: 'percentunit', min: 0, max: 1, thresholds: [{ color: 'red', value: null }, { color: 'green', value: 0.05 }], thresholdLine: true, targets: [{ expr: `pitcrew_runner_memory_available_ratio{${r}}`, legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Load per core', description: '1-minute load average per core; above 4 is degraded.', w: 12, min: 0, thresholds: [{ color: 'green', value: null }, { color: 'red', value: 4 }], thresholdLine: true, targets: [{ expr: `pitcrew_runner_load_per_core{${r}}`, legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Jobs finished', description: 'Jobs each runner finished, by result.', w: 12, bars: true, targets: [{ expr: `sum by (runner, result) (increase(pitcrew_runner_jobs_total{${r}}[${RI}]))`, legend: '{{runner}} {{result}}' }] },
    { type: 'timeseries', title: 'Job duration p95', description: '95th percentile of job duration per runner.', w: 12, unit: 's', min: 0, targets: [{ expr: `histogram_quantile(0.95, sum by (runner, le) (rate(pitcrew_runner_job_duration_seconds_bucket{${r}}[${RI}])))`, legend: '{{runner}}' }] },
    { type: 'timeseries', title: 'Heartbeat handling p99 (server)', description: "99th percentile of the server's time from a heartbeat received to its ack sent; above 20 ms the server falls behind its agents.", w: 12, unit: 's', min: 0, thresholds: [{ color: 'green', value: null }, { color: 'red', value: 0.02 }], thresholdLine: true, targets: [{ expr: `histogram_quantile(0.99, sum by (le) (rate(pitcrew_server_heartbeat_handling_seconds_bucket{job="${j.server}"}[${RI}])))`, legend: 'p99' }] },
    {
      type: 'timeseries', title: 'GitHub job queue time and duration p95', description: "95th percentiles from GitHub's workflow_job webhooks: how long jobs waited for each runner (started - created), and how long they ran.", w: 24, unit: 's', min: 0,
      targets: [
        { expr: `histogram_quantile(0.95, sum by (runner, le) (rate(pitcrew_github_job_queue_seconds_bucket{job="${j.server}",${r}}[${RI}])))`, legend: '{{runner}} queue' },
        { expr: `histogram_quantile(0.95, sum by (runner, le) (rate(pitcrew_github_job_duration_seconds_bucket{job="${j.server}",${r}}[${RI}])))`, legend: '{{runner}} duration' },
      ],
    },
  ];
  return dashboard('pitcrew-runner-health', 'pitcrew / Runner health', 'Is each self-hosted runner fit to take a deploy, and if not, why.', [
    queryVariable('runner', 'Runner', `label_values(pitcrew_runner_state{job="${j.server}"}, runner)`),
  ], panels);
}

export function deploymentPipelineDashboard(o: ResolvedExportOptions) {
  const j = scrapeJobs(o.jobPrefix);
  const e = 'environment=~"$environment"';
  const okRatio = [{ color: 'red', value: null }, { color: 'green', value: OBJECTIVES.successRatio }];
  const okDuration = [{ color: 'green', value: null }, { color: 'red', value: OBJECTIVES.durationP95Seconds }];
  const panels: PanelSpec[] = [
    { type: 'stat', title: 'Deploy success rate (7 d)', description: 'Succeeded / (succeeded + failed) over 7 days. Objective: at least 95%.', w: 8, h: 5, unit: 'percentunit', thresholds: okRatio, targets: [{ expr: `${SUCCESS_RATIO_RULE}{${e}}`, legend: '{{environment}}' }] },
    { type: 'stat', title: 'p95 deploy duration (7 d)', description: '95th percentile of deploy duration over 7 days. Objective: at most 600 s.', w: 8, h: 5, unit: 's', thresholds: okDuration, targets: [{ expr: `${DURATION_P95_RULE}{${e}}`, legend: '{{environment}}' }] },
    { type: 'stat', title: 'Open incidents', description: 'Incidents opened and not yet resolved.', w: 8, h: 5, thresholds: [{ color: 'green', value: null }, { color: 'red', value: 1 }], targets: [{ expr: `pitcrew_incidents_open{job="${j.server}"}`, legend: 'open' }] },
    { type: 'timeseries', title: 'Success rate vs 95% objective', description: 'The dashed line is the 95% objective; DeploySuccessRateLow fires below it.', w: 12, unit: 'percentunit', min: 0, max: 1, thresholds: okRatio, thresholdLine: true, targets: [{ expr: `${SUCCESS_RATIO_RULE}{${e}}`, legend: '{{environment}}' }] },
    {
      type: 'timeseries', title: 'p95 deploy duration vs 600 s objective', description: 'The dashed line is the 600 s objective; DeployDurationP95High fires above it (7-day figure).', w: 12, unit: 's', min: 0, thresholds: okDuration, thresholdLine: true,
      targets: [
        { expr: `${DURATION_P95_RULE}{${e}}`, legend: '{{environment}} (7 d)' },
        { expr: `histogram_quantile(0.95, sum by (environment, le) (rate(pitcrew_deployment_duration_seconds_bucket{${e}}[1d])))`, legend: '{{environment}} (1 d)' },
      ],
    },
    { type: 'timeseries', title: 'Deployments by result', description: 'Finished deployments per interval.', w: 12, bars: true, targets: [{ expr: `sum by (environment, result) (increase(pitcrew_deployments_total{${e}}[${RI}]))`, legend: '{{environment}} {{result}}' }] },
    {
      type: 'timeseries', title: 'Rollbacks', description: 'Rollbacks by reason, and rollbacks that did not complete (RollbackFailed).', w: 12, bars: true,
      targets: [
        { expr: `sum by (environment, reason) (increase(pitcrew_rollbacks_total{${e}}[${RI}]))`, legend: '{{environment}} {{reason}}' },
        { expr: `sum by (environment) (increase(pitcrew_rollback_failures_total{${e}}[${RI}]))`, legend: '{{environment}} rollback failed' },
      ],
    },
    { type: 'state-timeline', title: 'Deploy lock', description: 'When each environment lock was held.', w: 12, h: 6, mappings: [{ value: 0, text: 'free', color: 'green' }, { value: 1, text: 'held', color: 'blue' }], targets: [{ expr: `max by (environment) (pitcrew_deploy_lock_held{${e}})`, legend: '{{environment}}' }] },
    { type: 'timeseries', title: 'Deploy queue length', description: 'Deploys waiting for the lock; 3 or more for 10 min fires DeployQueueBacklog.', w: 12, h: 6, min: 0, thresholds: [{ color: 'green', value: null }, { color: 'orange', value: 3 }], thresholdLine: true, targets: [{ expr: `pitcrew_deploy_queue_length{${e}}`, legend: '{{environment}}' }] },
    { type: 'timeseries', title: 'Lock wait p95', description: '95th percentile of the time deploys waited for the lock.', w: 12, unit: 's', min: 0, targets: [{ expr: `histogram_quantile(0.95, sum by (environment, le) (rate(pitcrew_deploy_lock_wait_seconds_bucket{${e}}[${RI}])))`, legend: '{{environment}}' }] },
    { type: 'timeseries', title: 'Failovers', description: 'Deploy jobs re-run on another runner because theirs went offline.', w: 12, bars: true, targets: [{ expr: `sum by (environment) (increase(pitcrew_failovers_total{${e}}[${RI}]))`, legend: '{{environment}}' }] },
    { type: 'timeseries', title: 'GitHub API requests', description: 'GitHub REST API answers by status.', w: 8, bars: true, targets: [{ expr: `sum by (status) (increase(pitcrew_github_api_requests_total{job="${j.server}"}[${RI}]))`, legend: '{{status}}' }] },
    { type: 'timeseries', title: 'GitHub rate limit remaining', description: 'Requests left in the rate-limit window; below 200 fires GitHubRateLimitLow.', w: 8, min: 0, thresholds: [{ color: 'red', value: null }, { color: 'green', value: 200 }], thresholdLine: true, targets: [{ expr: `pitcrew_github_rate_limit_remaining{job="${j.server}"}`, legend: 'remaining' }] },
    { type: 'timeseries', title: 'Webhooks received', description: 'GitHub webhooks by signature validity; invalid ones fire WebhooksInvalid.', w: 8, bars: true, targets: [{ expr: `sum by (valid) (increase(pitcrew_webhooks_received_total{job="${j.server}"}[${RI}]))`, legend: 'valid={{valid}}' }] },
  ];
  return dashboard('pitcrew-deployment-pipeline', 'pitcrew / Deployment pipeline', 'Deploy success rate and duration against their objectives, and what stands in their way.', [
    queryVariable('environment', 'Environment', `label_values(pitcrew_deployments_total{job="${j.server}"}, environment)`),
  ], panels);
}

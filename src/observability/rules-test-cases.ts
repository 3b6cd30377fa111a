/**
 * The input series and expectations behind rules.test.yml, one list per alert.
 * Each list shows the alert firing on the condition it names and staying quiet
 * on healthy figures, before its `for` has elapsed, and on NaN ("not measured").
 * Values use promtool's expanding notation: `0 1x10` is 0, then 1 eleven times.
 */
import type { ScrapeJobs } from './export-options.js';

export interface SeriesSpec {
  metric: string;
  labels: Record<string, string>;
  values: string;
}

export interface AlertCase {
  name: string;
  interval: string;
  series: SeriesSpec[];
  /** `firing` lists the labels of each expected alert (severity is added); empty means quiet. */
  evals: Array<{ at: string; firing: Array<Record<string, string>> }>;
}

const SERVER_INSTANCE = 'pitcrew.example:8080';

/** `count` NaN samples: promtool's `x` notation does not repeat NaN. */
const nan = (count: number) => Array.from({ length: count }, () => 'NaN').join(' ');

export function alertCases(j: ScrapeJobs): Record<string, AlertCase[]> {
  const agent = (metric: string, runner: string, values: string): SeriesSpec => ({ metric, labels: { job: j.agents, instance: `${runner}:9101`, runner }, values });
  const server = (metric: string, labels: Record<string, string>, values: string): SeriesSpec => ({ metric, labels: { job: j.server, instance: SERVER_INSTANCE, ...labels }, values });
  const state = (runner: string, s: string, values: string) => server('pitcrew_runner_state', { runner, state: s }, values);
  const env = (environment: string, metric: string, values: string, extra: Record<string, string> = {}) => server(metric, { environment, ...extra }, values);
  const bucket = (environment: string, le: string, values: string) => env(environment, 'pitcrew_deployment_duration_seconds_bucket', values, { le });
  const runner = (name: string) => ({ runner: name });
  const environment = (name: string) => ({ environment: name });

  return {
    RunnerOffline: [
      {
        name: "fires when the server marks a runner offline for 30 s",
        interval: '15s',
        series: [state('r1', 'offline', '0 0 1x20'), state('r2', 'offline', '0x22'), agent('up', 'r1', '1x22'), agent('up', 'r2', '1x22')],
        evals: [{ at: '45s', firing: [] }, { at: '2m', firing: [runner('r1')] }],
      },
      {
        name: "fires when the runner's agent cannot be scraped",
        interval: '15s',
        series: [state('r1', 'offline', '0x22'), state('r2', 'offline', '0x22'), agent('up', 'r1', '1x22'), agent('up', 'r2', '1 1 0x20')],
        evals: [{ at: '45s', firing: [] }, { at: '2m', firing: [runner('r2')] }],
      },
      {
        name: 'stays quiet while every runner is online and scraped',
        interval: '15s',
        series: [state('r1', 'offline', '0x22'), state('r1', 'online', '1x22'), agent('up', 'r1', '1x22')],
        evals: [{ at: '2m', firing: [] }],
      },
    ],
    RunnerDegraded: [
      {
        name: 'fires after 2 min degraded, not before',
        interval: '15s',
        series: [state('r1', 'degraded', '0 1x40'), state('r2', 'degraded', '0x40')],
        evals: [{ at: '1m', firing: [] }, { at: '5m', firing: [runner('r1')] }],
      },
    ],
    RunnerDiskLow: [
      {
        name: 'fires below 10% free or below 1 GiB free, quiet on NaN and plenty',
        interval: '1m',
        series: [
          agent('pitcrew_runner_disk_free_ratio', 'r1', '0.5 0.08x15'), agent('pitcrew_runner_disk_free_bytes', 'r1', '50e9x15'),
          agent('pitcrew_runner_disk_free_ratio', 'r2', '0.5x15'), agent('pitcrew_runner_disk_free_bytes', 'r2', '50e9x15'),
          agent('pitcrew_runner_disk_free_ratio', 'r3', '0.5x15'), agent('pitcrew_runner_disk_free_bytes', 'r3', '5e10 5e8x15'),
          agent('pitcrew_runner_disk_free_ratio', 'r4', nan(16)), agent('pitcrew_runner_disk_free_bytes', 'r4', nan(16)),
        ],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [runner('r1'), runner('r3')] }],
      },
    ],
    RunnerDiskFull: [
      {
        name: 'fires below 3% or 256 MiB free, quiet when merely low',
        interval: '1m',
        series: [
          agent('pitcrew_runner_disk_free_ratio', 'r1', '0.5 0.02x10'), agent('pitcrew_runner_disk_free_bytes', 'r1', '5e9x10'),
          agent('pitcrew_runner_disk_free_ratio', 'r2', '0.5x10'), agent('pitcrew_runner_disk_free_bytes', 'r2', '5e9 1e8x10'),
          agent('pitcrew_runner_disk_free_ratio', 'r3', '0.05x10'), agent('pitcrew_runner_disk_free_bytes', 'r3', '5e9x10'),
        ],
        evals: [{ at: '2m', firing: [] }, { at: '5m', firing: [runner('r1'), runner('r2')] }],
      },
    ],
    RunnerHighLoad: [
      {
        name: 'fires after 10 min above 4 per core',
        interval: '1m',
        series: [agent('pitcrew_runner_load_per_core', 'r1', '1 6x20'), agent('pitcrew_runner_load_per_core', 'r2', '3x21')],
        evals: [{ at: '5m', firing: [] }, { at: '15m', firing: [runner('r1')] }],
      },
    ],
    RunnerMemoryLow: [
      {
        name: 'fires after 5 min below 5% available',
        interval: '1m',
        series: [agent('pitcrew_runner_memory_available_ratio', 'r1', '0.5 0.02x15'), agent('pitcrew_runner_memory_available_ratio', 'r2', '0.3x15'), agent('pitcrew_runner_memory_available_ratio', 'r3', nan(16))],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [runner('r1')] }],
      },
    ],
    NoHealthyRunnerForEnvironment: [
      {
        name: 'fires for the environment with no online runner, not for the others',
        interval: '15s',
        series: [
          env('production', 'pitcrew_runners', '1 1 0x20', { state: 'online' }), env('production', 'pitcrew_runners', '0 0 1x20', { state: 'offline' }),
          env('staging', 'pitcrew_runners', '1x22', { state: 'online' }), env('other', 'pitcrew_runners', '0x22', { state: 'online' }),
        ],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [environment('production')] }],
      },
    ],
    DeployFailed: [
      {
        name: 'fires for 15 min after a failed deploy, then resolves',
        interval: '1m',
        series: [
          env('production', 'pitcrew_deployments_total', '0 0 0 1x40', { result: 'failed' }), env('production', 'pitcrew_deployments_total', '0+1x43', { result: 'succeeded' }),
          env('staging', 'pitcrew_deployments_total', '0x43', { result: 'failed' }),
        ],
        evals: [{ at: '2m', firing: [] }, { at: '5m', firing: [environment('production')] }, { at: '25m', firing: [] }],
      },
    ],
    RollbackFailed: [
      {
        name: 'fires after a rollback that did not complete',
        interval: '1m',
        series: [env('production', 'pitcrew_rollback_failures_total', '0 0 1x100'), env('staging', 'pitcrew_rollback_failures_total', '0x102')],
        evals: [{ at: '1m', firing: [] }, { at: '3m', firing: [environment('production')] }, { at: '90m', firing: [] }],
      },
    ],
    DeployLockHeldTooLong: [
      {
        name: 'fires after 30 min held, not for a lock released after 20 min',
        interval: '1m',
        series: [env('production', 'pitcrew_deploy_lock_held', '0 1x50'), env('staging', 'pitcrew_deploy_lock_held', '1x20 0x30')],
        evals: [{ at: '20m', firing: [] }, { at: '40m', firing: [environment('production')] }],
      },
    ],
    DeployQueueBacklog: [
      {
        name: 'fires after 10 min with 3 or more waiting',
        interval: '1m',
        series: [env('production', 'pitcrew_deploy_queue_length', '0 4x30'), env('staging', 'pitcrew_deploy_queue_length', '2x30')],
        evals: [{ at: '5m', firing: [] }, { at: '20m', firing: [environment('production')] }],
      },
    ],
    DeploySuccessRateLow: [
      {
        name: 'fires at 50% success, not at 100% with cancellations',
        interval: '5m',
        series: [
          env('production', 'pitcrew_deployments_total', '0+1x30', { result: 'succeeded' }), env('production', 'pitcrew_deployments_total', '0+1x30', { result: 'failed' }),
          env('staging', 'pitcrew_deployments_total', '0+1x30', { result: 'succeeded' }), env('staging', 'pitcrew_deployments_total', '0x30', { result: 'failed' }),
          env('staging', 'pitcrew_deployments_total', '0+5x30', { result: 'cancelled' }),
        ],
        evals: [{ at: '10m', firing: [] }, { at: '1h', firing: [environment('production')] }],
      },
    ],
    DeployDurationP95High: [
      {
        name: 'fires when over 5% take longer than 600 s, not at 4%',
        interval: '5m',
        series: [
          bucket('production', '300', '0+1x30'), bucket('production', '600', '0+1x30'), bucket('production', '900', '0+2x30'), bucket('production', '+Inf', '0+2x30'),
          bucket('staging', '300', '0x30'), bucket('staging', '600', '0+24x30'), bucket('staging', '900', '0+25x30'), bucket('staging', '+Inf', '0+25x30'),
        ],
        evals: [{ at: '10m', firing: [] }, { at: '1h', firing: [environment('production')] }],
      },
    ],
    IncidentOpen: [
      {
        name: 'fires after an incident is open for 1 min',
        interval: '15s',
        series: [server('pitcrew_incidents_open', {}, '0 0 1x20')],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [{}] }],
      },
      { name: 'stays quiet with no incident', interval: '15s', series: [server('pitcrew_incidents_open', {}, '0x20')], evals: [{ at: '3m', firing: [] }] },
    ],
    PitcrewServerDown: [
      {
        name: "fires when the server cannot be scraped, not when only an agent can't",
        interval: '15s',
        series: [server('up', {}, '1 1 0x20'), agent('up', 'r1', '0x22')],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [{ job: j.server, instance: SERVER_INSTANCE }] }],
      },
    ],
    GitHubRateLimitLow: [
      {
        name: 'fires after 5 min below 200 remaining',
        interval: '1m',
        series: [server('pitcrew_github_rate_limit_remaining', {}, '5000 100x15')],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [{}] }],
      },
      { name: 'stays quiet before the first answer and with plenty left', interval: '1m', series: [server('pitcrew_github_rate_limit_remaining', {}, `${nan(2)} 4000x13`)], evals: [{ at: '10m', firing: [] }] },
    ],
    WebhooksInvalid: [
      {
        name: 'fires on a burst of bad signatures, resolves 15 min later',
        interval: '1m',
        series: [server('pitcrew_webhooks_received_total', { valid: 'false' }, '0 0 5x40'), server('pitcrew_webhooks_received_total', { valid: 'true' }, '0+10x42')],
        evals: [{ at: '1m', firing: [] }, { at: '3m', firing: [{}] }, { at: '30m', firing: [] }],
      },
    ],
  };
}

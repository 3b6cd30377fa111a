/**
 * The input series and expectations behind rules.test.yml, one list per alert.
 * Each list shows the alert firing on the condition it names, staying quiet
 * on healthy figures, before its `for` has elapsed and on NaN ("not measured"),
 * and resolving once the condition is gone.
 * Values use promtool's expanding notation: `0 1x10` is 0, then 1 eleven times.
 * Timelines are written for `forScale` 1; rules-tests.ts multiplies the
 * interval and eval times of an alert with a `for:` by the scale, unless the
 * case says `fixedTimeline` (its values are times, already computed for the scale).
 */
import { FAILURE_RATE, HEARTBEAT_STALE_SECONDS, lockTtlGroups } from './alerts.js';
import { formatDuration } from './durations.js';
import { scrapeJobs, type ResolvedExportOptions } from './export-options.js';

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
  /** For an alert name with several rules: the labels of the rule this case is for. */
  ruleLabels?: Record<string, string>;
  /** The timeline already fits the scaled `for:`; do not multiply it. */
  fixedTimeline?: boolean;
}

const SERVER_INSTANCE = 'pitcrew.example:8080';

/** `count` NaN samples: promtool's `x` notation does not repeat NaN. */
const nan = (count: number) => Array.from({ length: count }, () => 'NaN').join(' ');

export function alertCases(o: ResolvedExportOptions): Record<string, AlertCase[]> {
  const j = scrapeJobs(o.jobPrefix);
  const names = o.runners.map((r) => r.name);
  const first = names[0]!;
  const last = names[names.length - 1]!;
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
        name: 'fires when the server marks a runner offline for 30 s, resolves when it is back online',
        interval: '15s',
        series: [state(first, 'offline', '0 0 1x10 0x10'), ...names.filter((n) => n !== first).map((n) => state(n, 'offline', '0x22')), ...names.map((n) => agent('up', n, '1x22'))],
        evals: [{ at: '45s', firing: [] }, { at: '2m', firing: [runner(first)] }, { at: '5m', firing: [] }],
      },
      {
        name: "fires when the runner's agent cannot be scraped, resolves when it can again",
        interval: '15s',
        series: [...names.map((n) => state(n, 'offline', '0x22')), ...names.map((n) => agent('up', n, n === last ? '1 1 0x10 1x10' : '1x22'))],
        evals: [{ at: '45s', firing: [] }, { at: '2m', firing: [runner(last)] }, { at: '5m', firing: [] }],
      },
      {
        name: "fires when a configured runner's agent target is missing altogether, resolves when it is back",
        interval: '15s',
        series: names.map((n) => agent('up', n, n === first ? '1 1 stale _x10 1x10' : '1x24')),
        evals: [{ at: '45s', firing: [] }, { at: '2m', firing: [runner(first)] }, { at: '5m', firing: [] }],
      },
      {
        name: 'stays quiet while every runner is online and scraped',
        interval: '15s',
        series: [...names.map((n) => state(n, 'offline', '0x22')), ...names.map((n) => state(n, 'online', '1x22')), ...names.map((n) => agent('up', n, '1x22'))],
        evals: [{ at: '2m', firing: [] }],
      },
    ],
    AgentHeartbeatStale: heartbeatCases(o, agent),
    RunnerDegraded: [
      {
        name: 'fires after 2 min degraded, not before, and resolves when no longer degraded',
        interval: '15s',
        series: [state('r1', 'degraded', '0 1x30 0x20'), state('r2', 'degraded', '0x50')],
        evals: [{ at: '1m', firing: [] }, { at: '5m', firing: [runner('r1')] }, { at: '9m', firing: [] }],
      },
    ],
    RunnerDiskLow: [
      {
        name: 'fires below 10% free or below 1 GiB free, quiet on NaN and plenty, resolves once space is freed',
        interval: '1m',
        series: [
          agent('pitcrew_runner_disk_free_ratio', 'r1', '0.5 0.08x15 0.5x10'), agent('pitcrew_runner_disk_free_bytes', 'r1', '50e9x26'),
          agent('pitcrew_runner_disk_free_ratio', 'r2', '0.5x26'), agent('pitcrew_runner_disk_free_bytes', 'r2', '50e9x26'),
          agent('pitcrew_runner_disk_free_ratio', 'r3', '0.5x26'), agent('pitcrew_runner_disk_free_bytes', 'r3', '5e10 5e8x15 5e10x10'),
          agent('pitcrew_runner_disk_free_ratio', 'r4', nan(27)), agent('pitcrew_runner_disk_free_bytes', 'r4', nan(27)),
        ],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [runner('r1'), runner('r3')] }, { at: '22m', firing: [] }],
      },
    ],
    RunnerDiskFull: [
      {
        name: 'fires below 3% or 256 MiB free, quiet when merely low, resolves once space is freed',
        interval: '1m',
        series: [
          agent('pitcrew_runner_disk_free_ratio', 'r1', '0.5 0.02x10 0.5x10'), agent('pitcrew_runner_disk_free_bytes', 'r1', '5e9x21'),
          agent('pitcrew_runner_disk_free_ratio', 'r2', '0.5x21'), agent('pitcrew_runner_disk_free_bytes', 'r2', '5e9 1e8x10 5e9x10'),
          agent('pitcrew_runner_disk_free_ratio', 'r3', '0.05x21'), agent('pitcrew_runner_disk_free_bytes', 'r3', '5e9x21'),
        ],
        evals: [{ at: '2m', firing: [] }, { at: '5m', firing: [runner('r1'), runner('r2')] }, { at: '18m', firing: [] }],
      },
    ],
    RunnerHighLoad: [
      {
        name: 'fires after 10 min above 4 per core, resolves when the load drops',
        interval: '1m',
        series: [agent('pitcrew_runner_load_per_core', 'r1', '1 6x20 1x10'), agent('pitcrew_runner_load_per_core', 'r2', '3x31')],
        evals: [{ at: '5m', firing: [] }, { at: '15m', firing: [runner('r1')] }, { at: '28m', firing: [] }],
      },
    ],
    RunnerMemoryLow: [
      {
        name: 'fires after 5 min below 5% available, resolves when memory is back',
        interval: '1m',
        series: [agent('pitcrew_runner_memory_available_ratio', 'r1', '0.5 0.02x15 0.5x10'), agent('pitcrew_runner_memory_available_ratio', 'r2', '0.3x26'), agent('pitcrew_runner_memory_available_ratio', 'r3', nan(27))],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [runner('r1')] }, { at: '22m', firing: [] }],
      },
    ],
    NoHealthyRunnerForEnvironment: [
      {
        name: 'fires for the environment with no online runner, not for the others, resolves when one is back',
        interval: '15s',
        series: [
          env('production', 'pitcrew_runners', '1 1 0x20 1x10', { state: 'online' }), env('production', 'pitcrew_runners', '0 0 1x20 0x10', { state: 'offline' }),
          env('staging', 'pitcrew_runners', '1x32', { state: 'online' }), env('other', 'pitcrew_runners', '0x32', { state: 'online' }),
        ],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [environment('production')] }, { at: '7m', firing: [] }],
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
    DeployFailureRateHigh: [
      {
        name: `fires when over ${FAILURE_RATE.ratio * 100}% of an hour's deploys failed, not for a single failure, resolves an hour later`,
        interval: '1m',
        series: [
          env('production', 'pitcrew_deployments_total', '0x4 1 2 3x80', { result: 'failed' }), env('production', 'pitcrew_deployments_total', '0 1 2 3x82', { result: 'succeeded' }),
          env('staging', 'pitcrew_deployments_total', '0 0 1x82', { result: 'failed' }), env('staging', 'pitcrew_deployments_total', '0+1x84', { result: 'succeeded' }),
        ],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [environment('production')] }, { at: '80m', firing: [] }],
      },
    ],
    RollbackFailed: [
      {
        name: 'fires after a rollback that did not complete, resolves an hour later',
        interval: '1m',
        series: [env('production', 'pitcrew_rollback_failures_total', '0 0 1x100'), env('staging', 'pitcrew_rollback_failures_total', '0x102')],
        evals: [{ at: '1m', firing: [] }, { at: '3m', firing: [environment('production')] }, { at: '90m', firing: [] }],
      },
    ],
    DeployLockHeldTooLong: lockCases(o, env),
    DeployQueueBacklog: [
      {
        name: 'fires after 10 min with 3 or more waiting, resolves when the queue drains',
        interval: '1m',
        series: [env('production', 'pitcrew_deploy_queue_length', '0 4x30 0x10'), env('staging', 'pitcrew_deploy_queue_length', '2x40')],
        evals: [{ at: '5m', firing: [] }, { at: '20m', firing: [environment('production')] }, { at: '38m', firing: [] }],
      },
    ],
    DeploySuccessRateLow: [
      {
        name: 'fires at 50% success, not at 100% with cancellations, resolves after many successes',
        interval: '5m',
        series: [
          env('production', 'pitcrew_deployments_total', '0+1x30 130+100x29', { result: 'succeeded' }), env('production', 'pitcrew_deployments_total', '0+1x30 30x29', { result: 'failed' }),
          env('staging', 'pitcrew_deployments_total', '0+1x60', { result: 'succeeded' }), env('staging', 'pitcrew_deployments_total', '0x60', { result: 'failed' }),
          env('staging', 'pitcrew_deployments_total', '0+5x60', { result: 'cancelled' }),
        ],
        evals: [{ at: '10m', firing: [] }, { at: '1h', firing: [environment('production')] }, { at: '5h', firing: [] }],
      },
    ],
    DeployDurationP95High: [
      {
        name: 'fires when over 5% take longer than 600 s, not at 4%, resolves after many fast deploys',
        interval: '5m',
        series: [
          bucket('production', '300', '0+1x30 130+100x29'), bucket('production', '600', '0+1x30 130+100x29'), bucket('production', '900', '0+2x30 160+100x29'), bucket('production', '+Inf', '0+2x30 160+100x29'),
          bucket('staging', '300', '0x60'), bucket('staging', '600', '0+24x60'), bucket('staging', '900', '0+25x60'), bucket('staging', '+Inf', '0+25x60'),
        ],
        evals: [{ at: '10m', firing: [] }, { at: '1h', firing: [environment('production')] }, { at: '5h', firing: [] }],
      },
    ],
    IncidentOpen: [
      {
        name: 'fires after an incident is open for 1 min, resolves when it is closed',
        interval: '15s',
        series: [server('pitcrew_incidents_open', {}, '0 0 1x20 0x10')],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [{}] }, { at: '7m', firing: [] }],
      },
      { name: 'stays quiet with no incident', interval: '15s', series: [server('pitcrew_incidents_open', {}, '0x20')], evals: [{ at: '3m', firing: [] }] },
    ],
    PitcrewServerDown: [
      {
        name: "fires when the server cannot be scraped, not when only an agent can't, resolves when it can",
        interval: '15s',
        series: [server('up', {}, '1 1 0x20 1x10'), agent('up', 'r1', '0x32')],
        evals: [{ at: '45s', firing: [] }, { at: '3m', firing: [{ job: j.server, instance: SERVER_INSTANCE }] }, { at: '7m', firing: [] }],
      },
    ],
    GitHubRateLimitLow: [
      {
        name: 'fires after 5 min below 200 remaining, resolves when the window resets',
        interval: '1m',
        series: [server('pitcrew_github_rate_limit_remaining', {}, '5000 100x15 5000x10')],
        evals: [{ at: '3m', firing: [] }, { at: '10m', firing: [{}] }, { at: '22m', firing: [] }],
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

type AgentSeries = (metric: string, runner: string, values: string) => SeriesSpec;

/**
 * The agent's heartbeat timestamp is a time, compared with `time()`: its
 * values cannot be stretched with the timeline, so the eval times are placed
 * around the scaled `for:` instead.
 */
function heartbeatCases(o: ResolvedExportOptions, agent: AgentSeries): AlertCase[] {
  const stepS = 15;
  const stuckAt = 150; // the last accepted heartbeat: samples track time() until 150 s, then stay
  const forMs = Math.max(1, Math.round(60_000 * o.forScale));
  // stuck long enough to go stale, stay stale through the for:, and be seen firing
  const stuckSamples = Math.ceil((HEARTBEAT_STALE_SECONDS + forMs / 1000 + 120) / stepS);
  const staleFromMs = (stuckAt + HEARTBEAT_STALE_SECONDS) * 1000;
  const resumeS = stuckAt + stuckSamples * stepS + stepS;
  const fixed = (ms: number) => formatDuration(Math.ceil(ms / 1000) * 1000);
  const values = `0+${stepS}x${stuckAt / stepS} ${stuckAt}x${stuckSamples - 1} ${resumeS}+${stepS}x20`;
  return [
    {
      name: `fires when the last accepted heartbeat is over ${HEARTBEAT_STALE_SECONDS} s old for the whole for:, resolves when heartbeats resume`,
      interval: `${stepS}s`,
      fixedTimeline: true,
      series: [agent('pitcrew_agent_last_heartbeat_timestamp_seconds', 'r1', values), agent('pitcrew_agent_last_heartbeat_timestamp_seconds', 'r2', `0+${stepS}x${stuckSamples + 35}`), agent('pitcrew_agent_last_heartbeat_timestamp_seconds', 'r3', nan(stuckSamples + 36))],
      evals: [
        { at: '2m', firing: [] },
        { at: fixed(staleFromMs + forMs + 2 * stepS * 1000), firing: [{ runner: 'r1' }] },
        { at: fixed((resumeS + 2 * stepS) * 1000), firing: [] },
      ],
    },
  ];
}

/** One case per lock TTL: held past the TTL fires, released before it stays quiet, release resolves. */
function lockCases(o: ResolvedExportOptions, env: (environment: string, metric: string, values: string) => SeriesSpec): AlertCase[] {
  return lockTtlGroups(o).map(({ ttlMs, environments }) => {
    const step = ttlMs / 5; // the TTL is five samples
    const at = (samples: number) => formatDuration(samples * step);
    const [held, ...others] = environments;
    return {
      name: `${held}: fires once held past its TTL of ${formatDuration(ttlMs)}, not while released sooner, resolves on release`,
      interval: formatDuration(step),
      ruleLabels: { lock_ttl: formatDuration(ttlMs) },
      series: [
        env(held!, 'pitcrew_deploy_lock_held', '0 1x15 0x10'),
        ...others.map((e) => env(e, 'pitcrew_deploy_lock_held', '1x3 0x23')),
      ],
      evals: [{ at: at(4), firing: [] }, { at: at(10), firing: [{ environment: held! }] }, { at: at(22), firing: [] }],
    };
  });
}


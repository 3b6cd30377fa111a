/**
 * The metrics an agent serves on its /metrics endpoint, on a registry of its
 * own, and how probe results turn into them. Labels are fixed enums only: the
 * runner's name is added by Prometheus from the scrape target, never here.
 * Must never put a probe's detail, error text or facts other than figures into
 * a label.
 */
import { Registry, collectDefaultMetrics, type Counter, type Gauge, type Histogram } from 'prom-client';
import { AGENT_METRIC_DEFS as D, JOB_RESULTS, PROBE_LABELS, RUNNER_STATES, OTHER } from './catalogue.js';
import { LabelGuard } from './label-guard.js';
import { combinations, metricFactory, zeroFill } from './factory.js';

export type AgentRunnerState = (typeof RUNNER_STATES)[number];

export interface AgentMetricsOptions {
  /** Register Node's process metrics (cpu, memory, handles, GC) too. Default true. */
  defaultMetrics?: boolean;
}

/**
 * prom-client's event-loop delay histogram samples with a timer that fires
 * every `eventLoopMonitoringPrecision` ms, 10 by default: a hundred wake-ups a
 * second, more CPU than everything else the agent does. The agent sets that
 * timer to its longest period (about 24 days) and unregisters the histogram's
 * series; `nodejs_eventloop_lag_seconds`, measured only when scraped, stays.
 */
const LAG_SAMPLING_OFF_MS = 2 ** 31 - 1;
const SAMPLED_LAG_SERIES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map((s) => `nodejs_eventloop_lag_${s}_seconds`);

export interface AgentMetrics {
  registry: Registry;
  runnerUp: Gauge;
  runnerState: Gauge<'state'>;
  /** Sets `pitcrew_runner_state{state}` to 1 for `state` and 0 for the others. */
  setState(state: AgentRunnerState): void;
  jobsTotal: Counter<'result'>;
  jobDuration: Histogram;
  diskFreeBytes: Gauge;
  diskFreeRatio: Gauge;
  memoryAvailableRatio: Gauge;
  loadPerCore: Gauge;
  probeFailuresTotal: Counter<'probe'>;
  /** Unix seconds of the last heartbeat the server accepted. */
  lastHeartbeat: Gauge;
}

/** The fields of a probe result the metrics use (src/agent/probes/types.ts fits). */
export interface ProbeReading {
  probe: string;
  ok: boolean;
  value?: number;
  facts?: Record<string, number | string>;
  error?: string;
}

/**
 * @example
 * const m = createAgentMetrics();
 * updateFromProbes(m, await runProbes(...));
 * res.end(await m.registry.metrics());
 */
export function createAgentMetrics(opts: AgentMetricsOptions = {}): AgentMetrics {
  const registry = new Registry();
  const f = metricFactory(registry, new LabelGuard());
  const runnerState = f.gauge(D.runnerState);
  const jobsTotal = f.counter(D.jobsTotal);
  const probeFailuresTotal = f.counter(D.probeFailuresTotal);
  zeroFill(runnerState, combinations({ state: RUNNER_STATES }));
  zeroFill(jobsTotal, combinations({ result: JOB_RESULTS }));
  zeroFill(probeFailuresTotal, combinations({ probe: PROBE_LABELS }));
  // NaN until measured: Prometheus compares NaN as false, so no alert fires on a
  // figure the agent has not read yet (0 would look like a full disk).
  const measured = [D.runnerUp, D.diskFreeBytes, D.diskFreeRatio, D.memoryAvailableRatio, D.loadPerCore, D.lastHeartbeat].map((def) => {
    const g = f.gauge(def);
    g.set(NaN);
    return g;
  });
  const [runnerUp, diskFreeBytes, diskFreeRatio, memoryAvailableRatio, loadPerCore, lastHeartbeat] = measured;
  if (opts.defaultMetrics ?? true) collectProcessMetrics(registry);
  return {
    registry,
    runnerUp,
    runnerState,
    setState(state) {
      for (const s of RUNNER_STATES) runnerState.set({ state: s }, s === state ? 1 : 0);
    },
    jobsTotal,
    jobDuration: f.histogram(D.jobDuration),
    diskFreeBytes,
    diskFreeRatio,
    memoryAvailableRatio,
    loadPerCore,
    probeFailuresTotal,
    lastHeartbeat,
  };
}

/** prom-client's default metrics without the event-loop delay histogram (see LAG_SAMPLING_OFF_MS). */
function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LAG_SAMPLING_OFF_MS });
  for (const name of SAMPLED_LAG_SERIES) registry.removeSingleMetric(name);
}

/** The bounded `probe` label for a probe name: every `tcp:<name>` is `tcp`, unknown names are `other`. */
export function probeLabel(probe: string): string {
  if (probe.startsWith('tcp:')) return 'tcp';
  return (PROBE_LABELS as readonly string[]).includes(probe) ? probe : OTHER;
}

/**
 * Copies one round of probe results into the gauges and counts the failed ones.
 * A gauge keeps its last value when its probe could not measure, so a flaky
 * probe shows as probe failures, not as a runner with 0% disk free.
 * `runner-service` sets `pitcrew_runner_up`: 1 when ok, 0 when definitely down
 * (ok false without error); unchanged when the probe could not tell.
 */
export function updateFromProbes(metrics: AgentMetrics, probes: readonly ProbeReading[]): void {
  for (const p of probes) {
    if (!p.ok) metrics.probeFailuresTotal.inc({ probe: probeLabel(p.probe) });
    if (p.probe === 'runner-service') {
      if (p.ok) metrics.runnerUp.set(1);
      else if (p.error === undefined) metrics.runnerUp.set(0);
      continue;
    }
    if (!p.ok) continue;
    const value = finite(p.value);
    if (p.probe === 'disk') {
      if (value !== undefined) metrics.diskFreeRatio.set(value);
      const bytes = finite(p.facts?.freeBytes);
      if (bytes !== undefined) metrics.diskFreeBytes.set(bytes);
    } else if (p.probe === 'memory') {
      if (value !== undefined) metrics.memoryAvailableRatio.set(value);
    } else if (p.probe === 'load') {
      if (value !== undefined) metrics.loadPerCore.set(value);
    }
  }
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The metrics the agent serves on /metrics, on a registry of its own (never
 * prom-client's global one), and how probe results, acks and jobs turn into
 * them. Labels are fixed enums only: the runner's name comes from the scrape
 * target. Must never put a probe's detail, an error text, a job name or an id
 * into a label.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeResult } from './probes/types.js';
import type { RunnerState } from './protocol.js';

export const RUNNER_STATES: readonly RunnerState[] = ['online', 'degraded', 'offline'];
export const JOB_RESULTS = ['success', 'failure', 'cancelled', 'other'] as const;
export const PROBE_LABELS = ['runner-service', 'disk', 'memory', 'load', 'clock-skew', 'tcp', 'other'] as const;
/** From 1 s to 1 h; 600 s (the 10-minute deploy objective) is a bound. */
export const JOB_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

export interface AgentMetrics {
  registry: Registry;
  runnerUp: Gauge;
  runnerState: Gauge<'state'>;
  jobsTotal: Counter<'result'>;
  jobDuration: Histogram;
  diskFreeBytes: Gauge;
  diskFreeRatio: Gauge;
  memoryAvailableRatio: Gauge;
  loadPerCore: Gauge;
  probeFailuresTotal: Counter<'probe'>;
  lastHeartbeat: Gauge;
  /** Sets `pitcrew_runner_state{state}` to 1 for `state` and 0 for the others. */
  setState(state: RunnerState): void;
  /** Counts a finished job and observes its duration when known. */
  recordJob(result: string, durationSeconds?: number): void;
}

export function createAgentMetrics(opts: { defaultMetrics?: boolean } = {}): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string) => {
    const g = new Gauge({ name, help, registers });
    // NaN until measured: no alert fires on a figure the agent has not read (0 would look like a full disk).
    g.set(NaN);
    return g;
  };
  const runnerState = new Gauge({ name: 'pitcrew_runner_state', help: "The server's verdict on this runner from the last ack: 1 for the current state.", labelNames: ['state'] as const, registers });
  const jobsTotal = new Counter({ name: 'pitcrew_runner_jobs_total', help: 'Jobs this runner finished, by result.', labelNames: ['result'] as const, registers });
  const probeFailuresTotal = new Counter({ name: 'pitcrew_runner_probe_failures_total', help: 'Probe runs that returned ok=false, by probe (every tcp:* probe counts as tcp).', labelNames: ['probe'] as const, registers });
  for (const state of RUNNER_STATES) runnerState.set({ state }, 0);
  for (const result of JOB_RESULTS) jobsTotal.inc({ result }, 0);
  for (const probe of PROBE_LABELS) probeFailuresTotal.inc({ probe }, 0);
  const jobDuration = new Histogram({ name: 'pitcrew_runner_job_duration_seconds', help: 'How long the jobs this runner finished took.', buckets: JOB_DURATION_BUCKETS, registers });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    runnerUp: gauge('pitcrew_runner_up', '1 when the runner service is running on this host, 0 when it is not.'),
    runnerState,
    jobsTotal,
    jobDuration,
    diskFreeBytes: gauge('pitcrew_runner_disk_free_bytes', "Bytes free to unprivileged users on the runner work directory's filesystem."),
    diskFreeRatio: gauge('pitcrew_runner_disk_free_ratio', "Share of the runner work directory's filesystem free to unprivileged users (0..1)."),
    memoryAvailableRatio: gauge('pitcrew_runner_memory_available_ratio', 'MemAvailable / MemTotal on the runner host (0..1).'),
    loadPerCore: gauge('pitcrew_runner_load_per_core', '1-minute load average divided by the number of cores.'),
    probeFailuresTotal,
    lastHeartbeat: gauge('pitcrew_agent_last_heartbeat_timestamp_seconds', 'When the server last acknowledged a heartbeat from this agent (Unix seconds).'),
    setState(state) {
      for (const s of RUNNER_STATES) runnerState.set({ state: s }, s === state ? 1 : 0);
    },
    recordJob(result, durationSeconds) {
      jobsTotal.inc({ result: jobResultLabel(result) });
      if (durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds >= 0) jobDuration.observe(durationSeconds);
    },
  };
}

/** The bounded `result` label: GitHub's and the runner's spellings folded into success, failure, cancelled, other. */
export function jobResultLabel(result: string): (typeof JOB_RESULTS)[number] {
  const r = result.toLowerCase();
  if (r === 'succeeded' || r === 'success') return 'success';
  if (r === 'failed' || r === 'failure') return 'failure';
  if (r === 'canceled' || r === 'cancelled') return 'cancelled';
  return 'other';
}

/** The bounded `probe` label: every `tcp:<name>` is `tcp`, unknown names are `other`. */
export function probeLabel(probe: string): string {
  if (probe.startsWith('tcp:')) return 'tcp';
  return (PROBE_LABELS as readonly string[]).includes(probe) ? probe : 'other';
}

/**
 * Copies one round of probe results into the gauges and counts the failed
 * ones. A gauge keeps its last value when its probe could not measure, so a
 * flaky probe shows as probe failures, not as a runner with 0% disk free.
 * `runner-service` sets `pitcrew_runner_up`: 1 when ok, 0 when definitely
 * down (ok false without error), unchanged when the probe could not tell.
 */
export function updateFromProbes(metrics: AgentMetrics, probes: readonly ProbeResult[]): void {
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

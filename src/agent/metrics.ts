/**
 * The agent's metrics: the catalogue's agent registry (src/observability,
 * names and labels defined there, on a registry of its own) plus how finished
 * jobs are counted. Must never put a probe's detail, an error text, a job name
 * or an id into a label.
 */
import { createAgentMetrics as createCatalogueMetrics, type AgentMetrics as CatalogueMetrics, type AgentMetricsOptions } from '../observability/agent-metrics.js';

export { probeLabel, updateFromProbes } from '../observability/agent-metrics.js';
export type { AgentRunnerState } from '../observability/agent-metrics.js';


export interface AgentMetrics extends CatalogueMetrics {
  /** Counts a finished job by result and observes its duration when known. */
  recordJob(result: string, durationSeconds?: number): void;
}

export function createAgentMetrics(opts: AgentMetricsOptions = {}): AgentMetrics {
  const m = createCatalogueMetrics(opts);
  return {
    ...m,
    recordJob(result, durationSeconds) {
      m.jobsTotal.inc({ result: jobResultLabel(result) });
      if (durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds >= 0) m.jobDuration.observe(durationSeconds);
    },
  };
}

/**
 * The `result` label value: GitHub's and the runner's spellings folded into
 * success, failure, cancelled; anything else (an unknown result from a hook)
 * becomes `other`, which the catalogue's label guard also falls back to.
 */
export function jobResultLabel(result: string): 'success' | 'failure' | 'cancelled' | 'other' {
  const r = result.toLowerCase();
  if (r === 'succeeded' || r === 'success') return 'success';
  if (r === 'failed' || r === 'failure') return 'failure';
  if (r === 'canceled' || r === 'cancelled') return 'cancelled';
  return 'other';
}

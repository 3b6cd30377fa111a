/**
 * The local agent's view: GET /status (AgentStatus) and GET /metrics. Only
 * reads; never posts to the hook endpoints.
 */
import type { AgentStatus } from '../../agent/status.js';
import { getJson, httpGet, type Fetch } from './http.js';

export const DEFAULT_AGENT_URL = 'http://127.0.0.1:9101';

export function agentStatus(fetchFn: Fetch, baseUrl: string, timeoutMs: number): Promise<AgentStatus> {
  return getJson<AgentStatus>(fetchFn, new URL('/status', baseUrl).toString(), timeoutMs);
}

export async function agentMetrics(fetchFn: Fetch, baseUrl: string, timeoutMs: number): Promise<string> {
  const url = new URL('/metrics', baseUrl).toString();
  const { status, text } = await httpGet(fetchFn, url, timeoutMs);
  if (status !== 200) throw Object.assign(new Error(`GET ${url}: HTTP ${status}`), { status });
  return text;
}

/** Sum of a counter's samples by one label, from Prometheus text: `{success: 3, failure: 1}`. */
export function countersByLabel(metricsText: string, metric: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`^${metric}\\{([^}]*)\\}\\s+([0-9.eE+-]+|NaN)`, 'gm');
  for (const m of metricsText.matchAll(re)) {
    const value = Number(m[2]);
    const l = new RegExp(`${label}="([^"]*)"`).exec(m[1]);
    if (!l || !Number.isFinite(value)) continue;
    out[l[1]] = (out[l[1]] ?? 0) + value;
  }
  return out;
}

/**
 * The control plane's view for doctor: one runner with its state history, and
 * an environment's lock. Extends what src/server/client.ts offers with the
 * two read-only routes doctor needs, each under a deadline.
 */
import type { ProbeResult } from '../../agent/probes/types.js';
import type { RunnerView } from '../../server/fleet-monitor.js';
import { getJson, type Fetch } from './http.js';

export interface ServerRunnerAnswer {
  runner: RunnerView;
  history: Array<{ runner: string; from: string; to: string; reasons: string[]; at: number }>;
}

export interface ServerLockAnswer {
  environment: string;
  holder: { runner: string | null; description: string; fencingToken: number; grantedAt: number; expiresAt: number; expired?: boolean } | null;
  queue: Array<{ position: number; runner: string | null; description: string; enqueuedAt: number }>;
  lastFencingToken: number;
}

export interface DoctorServerClient {
  readonly origin: string;
  runner(name: string): Promise<ServerRunnerAnswer>;
  lock(environment: string): Promise<ServerLockAnswer>;
}

export function doctorServerClient(url: string, token: string | undefined, fetchFn: Fetch, timeoutMs: number): DoctorServerClient {
  const base = new URL(url);
  const at = (path: string) => new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`).toString();
  return {
    origin: base.origin,
    runner: (name) => getJson<ServerRunnerAnswer>(fetchFn, at(`/api/v1/runners/${encodeURIComponent(name)}`), timeoutMs, token),
    lock: (env) => getJson<ServerLockAnswer>(fetchFn, at(`/api/v1/environments/${encodeURIComponent(env)}/lock`), timeoutMs, token),
  };
}

export type { ProbeResult, RunnerView };

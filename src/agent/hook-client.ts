/**
 * The HTTP side of `pitcrew hook`: asks the local agent for its status and
 * reports a job event, all within one overall deadline (2 s by default), since
 * the runner waits for the hook before the job can go on. It never throws for
 * an agent that is down or slow; it says so in its result.
 */
import type { HookReport } from './http.js';
import type { AgentStatus } from './status.js';

export const DEFAULT_AGENT_URL = 'http://127.0.0.1:9101';
export const HOOK_TIMEOUT_MS = 2000;

export type HookFetch = (url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>;

export class AgentUnreachable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface HookClient {
  status(): Promise<AgentStatus>;
  report(event: 'started' | 'completed', report: HookReport): Promise<void>;
  /** Clears the deadline timer. */
  close(): void;
}

/** A client whose calls together must finish within `timeoutMs`. */
export function hookClient(agentUrl: string, timeoutMs = HOOK_TIMEOUT_MS, fetchPort: HookFetch = fetch): HookClient {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const base = agentUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetchPort(`${base}${path}`, {
        method,
        signal: controller.signal,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new AgentUnreachable(controller.signal.aborted ? `no answer within ${timeoutMs} ms` : causeText(err));
    }
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch (err) {
      throw new AgentUnreachable(controller.signal.aborted ? `no answer within ${timeoutMs} ms` : `HTTP ${res.status}, not JSON: ${causeText(err)}`);
    }
    if (!res.ok) {
      const message = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String(parsed.error) : '';
      throw new AgentUnreachable(`HTTP ${res.status}${message ? `: ${message}` : ''}`);
    }
    return parsed;
  };
  return {
    status: async () => {
      const s = await call('GET', '/status');
      if (typeof s !== 'object' || s === null || typeof (s as AgentStatus).runner !== 'string') throw new AgentUnreachable('/status answered something that is not an agent status');
      return s as AgentStatus;
    },
    report: async (event, report) => {
      await call('POST', `/hooks/job-${event}`, report);
    },
    close: () => clearTimeout(timer),
  };
}

/** fetch's "fetch failed" hides the real cause (ECONNREFUSED ...) in `cause`. */
function causeText(err: unknown): string {
  const cause = err instanceof Error && err.cause ? err.cause : err;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}

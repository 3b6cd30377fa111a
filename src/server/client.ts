/**
 * The HTTP client the CLI uses to ask the server (select, runners). Turns
 * every failure into a PitcrewError that names the server URL and says what
 * to do; must never put the token in a message.
 */
import { PitcrewError, ExitCode, UnavailableError, UsageError } from '../errors.js';
import type { Consideration } from '../fleet/select.js';
import type { RunnerView } from './fleet-monitor.js';

export interface SelectAnswer {
  environment: string;
  runner: string | null;
  considered: Consideration[];
  summary: string;
  /** Set when the chosen runner is degraded (nothing online was left). */
  warning?: string;
}

export interface ServerClient {
  select(env: string, labels?: readonly string[]): Promise<SelectAnswer>;
  runners(): Promise<RunnerView[]>;
}

export function createServerClient(opts: { url?: string; token?: string; fetch?: typeof globalThis.fetch }): ServerClient {
  if (!opts.url) throw new UsageError('no server given', { hint: 'pass --server URL or set PITCREW_SERVER (e.g. http://127.0.0.1:8080)' });
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch {
    throw new UsageError(`--server is "${opts.url}"; expected a URL such as http://127.0.0.1:8080`);
  }
  const doFetch = opts.fetch ?? globalThis.fetch;
  const origin = base.origin;

  async function get<T>(path: string): Promise<T> {
    const url = new URL(path, base);
    let res: Response;
    try {
      res = await doFetch(url, { headers: opts.token ? { authorization: `Bearer ${opts.token}`, accept: 'application/json' } : { accept: 'application/json' } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new UnavailableError(`cannot reach the pitcrew server at ${origin}: ${cause}`, { hint: 'check that `pitcrew server` runs there and that --server / PITCREW_SERVER is right' });
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new UnavailableError(`the server at ${origin} answered ${res.status} with something that is not JSON`, { hint: 'is --server pointing at a pitcrew server?' });
    }
    if (res.ok) return data as T;
    const error = (data as { error?: { code?: string; message?: string } }).error;
    const message = `${origin}${url.pathname}: ${error?.message ?? `HTTP ${res.status}`}`;
    if (res.status === 401) throw new UsageError(message, { code: 'server.unauthenticated', hint: 'pass --token or set PITCREW_TOKEN to a token from server.tokens' });
    if (res.status === 403) throw new UsageError(message, { code: 'server.forbidden', hint: 'use a token whose role allows this (docs/server.md)' });
    if (res.status === 400 || res.status === 404) throw new UsageError(message, { code: `server.${error?.code ?? res.status}` });
    throw new PitcrewError(`server.${error?.code ?? res.status}`, message, res.status >= 500 ? ExitCode.unavailable : ExitCode.failed);
  }

  return {
    select: (env, labels = []) => {
      const q = new URLSearchParams({ env });
      for (const l of labels) q.append('label', l);
      return get<SelectAnswer>(`/api/v1/select?${q}`);
    },
    runners: async () => (await get<{ runners: RunnerView[] }>('/api/v1/runners')).runners,
  };
}

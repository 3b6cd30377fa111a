/**
 * Helpers the checks share: where a probe result comes from (probed here, the
 * agent's last round, or what the server last heard), the lock as the store
 * or the server sees it, and durations in words. Pure reads of the sources.
 */
import type { ProbeResult } from '../../agent/probes/types.js';
import type { DoctorSources } from '../sources/sources.js';

export interface SeenProbe {
  probe: ProbeResult;
  from: string;
}

/** The newest result of probe `name`: measured here, else the agent's last round, else the server's copy. */
export async function seenProbe(s: DoctorSources, name: string): Promise<SeenProbe | undefined> {
  const local = await s.localProbes();
  if (local.kind === 'ok') {
    const p = local.value.find((r) => r.probe === name);
    if (p) return { probe: p, from: 'measured on this host now' };
  }
  const agent = await s.agentStatus();
  if (agent.kind === 'ok') {
    const p = agent.value.probes.find((r) => r.probe === name);
    if (p) return { probe: p, from: `the agent's last probe round (${ago(s.now() - p.at)})` };
  }
  const server = await s.serverRunner();
  if (server.kind === 'ok') {
    const p = server.value.runner.probes.find((r) => r.probe === name);
    if (p) return { probe: p, from: `the last heartbeat the server got (${ago(s.now() - p.at)})` };
  }
  return undefined;
}

export function ago(ms: number): string {
  return `${duration(ms)} ago`;
}

export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export interface LockView {
  from: string;
  holder: { runner: string | null; description: string; fencingToken: number; grantedAt: number; expiresAt: number; expired: boolean } | null;
  queued: number;
  lastFencingToken: number;
}

/** The environment's lock from the store (preferred: it is the truth), else from the server's API. */
export async function lockView(s: DoctorSources): Promise<LockView | { error: string } | undefined> {
  const env = s.environment;
  if (!env) return undefined;
  const store = await s.store();
  if (store.kind === 'ok') {
    try {
      const st = await store.value.lockStatus(env, s.now());
      return { from: 'the store', holder: st.holder, queued: st.queue.length, lastFencingToken: st.lastFencingToken };
    } catch (err) {
      return { error: `store: ${(err as Error).message}` };
    }
  }
  const server = await s.serverLock();
  if (server.kind === 'ok') {
    const h = server.value.holder;
    return {
      from: 'the server',
      holder: h ? { ...h, expired: h.expired ?? h.expiresAt <= s.now() } : null,
      queued: server.value.queue.length,
      lastFencingToken: server.value.lastFencingToken,
    };
  }
  if (server.kind === 'error') return { error: `server: ${server.error}` };
  if (store.kind === 'error') return { error: `store: ${store.error}` };
  return undefined;
}

/** The reason a source was not asked or failed, for a skip's evidence. */
export function why(source: { kind: string; reason?: string; error?: string }): string {
  return source.kind === 'absent' ? (source.reason ?? 'not asked') : (source.error ?? 'failed');
}

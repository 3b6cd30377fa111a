/**
 * The frames of the agent <-> server stream (docs/protocol.md), from the
 * agent's side: builders for what the agent sends, and defensive readers for
 * what the server sends. A frame the agent does not understand is ignored,
 * never thrown on: the server may be newer than the agent.
 */
import type { ProbeResult } from './probes/types.js';
import type { TcpTarget } from './probes/tcp.js';

/** A job as the heartbeat and `job` frames carry it. */
export interface JobInfo {
  name: string;
  startedAt: number;
  runId?: string;
  runAttempt?: string;
  jobId?: string;
  workflow?: string;
  repository?: string;
}

export type RunnerState = 'online' | 'degraded' | 'offline';
const STATES: readonly string[] = ['online', 'degraded', 'offline'];

export type AgentFrame =
  | { type: 'hello'; runner: string; agentVersion: string; hostname: string; sentAt: number }
  | { type: 'heartbeat'; seq: number; sentAt: number; probes: ProbeResult[]; job: JobInfo | null }
  | { type: 'job'; event: 'started' | 'completed'; at: number; job: JobInfo; result?: string };

export interface Welcome {
  type: 'welcome';
  serverTime: number;
  heartbeatIntervalMs?: number;
  probeTargets: TcpTarget[];
  thresholds: Record<string, number>;
  /** Environments this runner is authorized to deploy to, when the server says (optional field). */
  environments?: string[];
}

export interface Ack {
  type: 'ack';
  seq: number;
  serverTime: number;
  state?: RunnerState;
  reasons: string[];
}

export type ServerFrame = Welcome | Ack | { type: 'error'; message: string };

/** The server frame in `text`, or undefined when it is malformed or of a type this agent does not know. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'welcome':
      return readWelcome(raw);
    case 'ack':
      return readAck(raw);
    case 'error':
      return { type: 'error', message: typeof raw.message === 'string' ? raw.message : JSON.stringify(raw.message) };
    default:
      return undefined;
  }
}

function readWelcome(raw: Record<string, unknown>): Welcome | undefined {
  if (!isNumber(raw.serverTime)) return undefined;
  const probeTargets: TcpTarget[] = [];
  for (const t of Array.isArray(raw.probeTargets) ? raw.probeTargets : []) {
    if (!isRecord(t) || typeof t.host !== 'string' || !isPort(t.port)) continue;
    probeTargets.push({ ...(typeof t.name === 'string' ? { name: t.name } : {}), host: t.host, port: t.port });
  }
  const thresholds: Record<string, number> = {};
  if (isRecord(raw.thresholds)) for (const [k, v] of Object.entries(raw.thresholds)) if (isNumber(v)) thresholds[k] = v;
  const welcome: Welcome = { type: 'welcome', serverTime: raw.serverTime, probeTargets, thresholds };
  if (isNumber(raw.heartbeatIntervalMs) && raw.heartbeatIntervalMs > 0) welcome.heartbeatIntervalMs = raw.heartbeatIntervalMs;
  if (Array.isArray(raw.environments)) welcome.environments = raw.environments.filter((e): e is string => typeof e === 'string');
  return welcome;
}

function readAck(raw: Record<string, unknown>): Ack | undefined {
  if (!isNumber(raw.seq) || !isNumber(raw.serverTime)) return undefined;
  const state = typeof raw.state === 'string' && STATES.includes(raw.state) ? (raw.state as RunnerState) : undefined;
  const reasons = Array.isArray(raw.reasons) ? raw.reasons.filter((r): r is string => typeof r === 'string') : [];
  return { type: 'ack', seq: raw.seq, serverTime: raw.serverTime, state, reasons };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
}

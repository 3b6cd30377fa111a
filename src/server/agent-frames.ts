/**
 * The frames an agent sends over its stream (docs/protocol.md), validated.
 * Unknown frame types are reported as such so the caller ignores them; a
 * malformed frame yields a message naming the field, never echoing the frame.
 */
// zod 4 (shipped in the zod package): several times faster than zod 3 on this path, run for every heartbeat.
import { z } from 'zod/v4';
import type { ProbeResult } from '../agent/probes/types.js';
import type { RunnerJob } from './fleet-monitor.js';

const probe = z.object({
  probe: z.string().min(1),
  ok: z.boolean(),
  value: z.number().optional(),
  unit: z.string().optional(),
  detail: z.string().default(''),
  error: z.string().optional(),
  facts: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  at: z.number().default(0),
});

/**
 * Hooks report ids as the runner's variables spell them (strings of digits), and the diag log
 * names jobs by a GUID: a GitHub id in either form is read as a number, anything else as unknown.
 */
const id = z.unknown().transform((v): number | undefined => {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
});

const job = z.object({
  name: z.string(),
  startedAt: z.union([z.number(), z.string()]).nullable().optional(),
  runId: id,
  runAttempt: id,
  jobId: id,
  workflow: z.string().nullable().optional(),
  repository: z.string().optional(),
});

const hello = z.object({ type: z.literal('hello'), runner: z.string(), agentVersion: z.string().optional(), hostname: z.string().optional(), sentAt: z.number().optional() });
const heartbeat = z.object({ type: z.literal('heartbeat'), seq: z.number(), sentAt: z.number(), probes: z.array(probe), job: job.nullable().optional() });
const jobFrame = z.object({ type: z.literal('job'), event: z.enum(['started', 'completed']), at: z.number(), job, result: z.string().optional() });

export type AgentFrame =
  | { kind: 'hello'; runner: string; agentVersion?: string; hostname?: string }
  | { kind: 'heartbeat'; seq: number; sentAt: number; probes: ProbeResult[]; job?: RunnerJob | null }
  | { kind: 'job'; event: 'started' | 'completed'; job: RunnerJob; result?: string }
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; message: string };

const schemas = { hello, heartbeat, job: jobFrame } as const;

export function parseAgentFrame(text: string): AgentFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'malformed', message: `frame is not JSON (${text.length} characters)` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { kind: 'malformed', message: 'frame is not a JSON object' };
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string') return { kind: 'malformed', message: 'type: expected a string' };
  if (!(type in schemas)) return { kind: 'unknown', type: type.slice(0, 64) };
  const parsed = schemas[type as keyof typeof schemas].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', message: `${type} frame: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const f = parsed.data;
  if (f.type === 'hello') return { kind: 'hello', runner: f.runner, agentVersion: f.agentVersion, hostname: f.hostname };
  if (f.type === 'heartbeat') return { kind: 'heartbeat', seq: f.seq, sentAt: f.sentAt, probes: f.probes, job: f.job };
  return { kind: 'job', event: f.event, job: f.job, result: f.result };
}

/**
 * The agent's local HTTP endpoints, as a hono app built from its
 * dependencies: GET /metrics (Prometheus text), GET /status (JSON), and
 * POST /hooks/job-started | /hooks/job-completed from the runner's job hooks.
 * Only loopback callers may POST: a hook report is trusted as the runner's
 * word, so it must never be accepted from the network.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { JobReport } from './jobs.js';
import type { AgentStatus } from './status.js';

/** A hook's report as posted by `pitcrew hook`. */
export interface HookReport extends JobReport {
  runAttempt?: string;
  environment?: string;
  actor?: string;
  /** job-completed only: the job's result when the hook knows it. */
  result?: string;
}

export interface AgentHttpDeps {
  status(): AgentStatus;
  metrics(): Promise<{ body: string; contentType: string }>;
  hook(event: 'started' | 'completed', report: HookReport): void;
}

/** The shape of `c.env` under @hono/node-server (only what is read here). */
type NodeEnv = { incoming?: { socket?: { remoteAddress?: string } } };

const MAX_FIELD = 256;
const FIELDS = ['name', 'runId', 'runAttempt', 'jobId', 'workflow', 'repository', 'environment', 'actor', 'result'] as const;

export function createAgentApp(deps: AgentHttpDeps): Hono<{ Bindings: NodeEnv }> {
  const app = new Hono<{ Bindings: NodeEnv }>();
  app.get('/metrics', async (c) => {
    const { body, contentType } = await deps.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  });
  app.get('/status', (c) => c.json(deps.status()));
  for (const event of ['started', 'completed'] as const) {
    app.post(
      `/hooks/job-${event}`,
      bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'hook report larger than 64 KiB' }, 413) }),
      async (c) => {
        const from = c.env?.incoming?.socket?.remoteAddress;
        if (!isLoopback(from)) return c.json({ error: `hook reports are accepted from loopback callers only, not ${from ?? 'an unknown address'}` }, 403);
        let raw: unknown;
        try {
          raw = await c.req.json();
        } catch {
          return c.json({ error: 'body is not JSON' }, 400);
        }
        const report = readHookReport(raw);
        if (!report) return c.json({ error: 'body must be a JSON object' }, 400);
        deps.hook(event, report);
        return c.json({ accepted: true, status: deps.status() }, 202);
      },
    );
  }
  app.notFound((c) => c.json({ error: 'not found; try GET /metrics, GET /status' }, 404));
  return app;
}

/** The hook report in a posted body: known string fields only, each capped. */
export function readHookReport(raw: unknown): HookReport | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const out: HookReport = {};
  for (const key of FIELDS) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === 'string' && v !== '') out[key] = v.slice(0, MAX_FIELD);
    else if (typeof v === 'number' && Number.isFinite(v)) out[key] = String(v);
  }
  return out;
}

/** 127.0.0.0/8, ::1, and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

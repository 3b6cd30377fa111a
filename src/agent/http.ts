/**
 * The agent's local HTTP endpoints, as a handler built from its dependencies
 * that answers a request value with a response value (listen.ts binds it to a
 * socket; tests call it directly): GET /metrics (Prometheus text), GET
 * /status (JSON), and POST /hooks/job-started | /hooks/job-completed from the
 * runner's job hooks. Only loopback callers may POST: a hook report is trusted
 * as the runner's word, so it must never be accepted from the network.
 *
 * Plain node:http, no web framework: the adapters that run one on Node load
 * the fetch implementation (undici) for their Request and Response, about
 * 8 MiB of resident memory in a process that serves three routes.
 */
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

export interface AgentRequest {
  method: string;
  /** The path of the request target, without its query. */
  path: string;
  /** The caller's address as the socket reports it. */
  remoteAddress: string | undefined;
  /** The body; only hook routes read it, and more than MAX_HOOK_BYTES + 1 bytes need not be read. */
  body(): Promise<Buffer>;
}

export interface AgentResponse {
  status: number;
  contentType: string;
  body: string;
}

export type AgentHandler = (req: AgentRequest) => Promise<AgentResponse>;

/** Largest hook report accepted. */
export const MAX_HOOK_BYTES = 64 * 1024;
const MAX_FIELD = 256;
const FIELDS = ['name', 'runId', 'runAttempt', 'jobId', 'workflow', 'repository', 'environment', 'actor', 'result'] as const;
const HOOK_PATHS = new Map<string, 'started' | 'completed'>([
  ['/hooks/job-started', 'started'],
  ['/hooks/job-completed', 'completed'],
]);

/**
 * @example
 * const handle = createAgentApp({ status, metrics, hook });
 * const res = await handle({ method: 'GET', path: '/status', remoteAddress: '127.0.0.1', body: async () => Buffer.alloc(0) });
 */
export function createAgentApp(deps: AgentHttpDeps): AgentHandler {
  return async (req) => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && req.path === '/metrics') {
      const { body, contentType } = await deps.metrics();
      return { status: 200, contentType, body };
    }
    if (read && req.path === '/status') return json(200, deps.status());
    const event = HOOK_PATHS.get(req.path);
    if (req.method === 'POST' && event) return hook(deps, event, req);
    return json(404, { error: 'not found; try GET /metrics, GET /status' });
  };
}

async function hook(deps: AgentHttpDeps, event: 'started' | 'completed', req: AgentRequest): Promise<AgentResponse> {
  if (!isLoopback(req.remoteAddress)) {
    return json(403, { error: `hook reports are accepted from loopback callers only, not ${req.remoteAddress ?? 'an unknown address'}` });
  }
  const body = await req.body();
  if (body.length > MAX_HOOK_BYTES) return json(413, { error: 'hook report larger than 64 KiB' });
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return json(400, { error: 'body is not JSON' });
  }
  const report = readHookReport(raw);
  if (!report) return json(400, { error: 'body must be a JSON object' });
  deps.hook(event, report);
  return json(202, { accepted: true, status: deps.status() });
}

function json(status: number, value: unknown): AgentResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
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

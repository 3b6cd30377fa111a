/**
 * What `exportMonitoring` needs to know about the installation, checked once so
 * every generator can trust it. Runner and environment names become label
 * values and file content, so they are held to a strict character set.
 */
import { UsageError } from '../errors.js';

export interface MonitoringRunner {
  name: string;
  /** Where the agent serves /metrics, e.g. `http://runner-1.lan:9101`; default `http://<name>:9101`. */
  agentUrl?: string;
}

export interface MonitoringEnvironment {
  name: string;
  /** The environment's deploy lock TTL (config `lock.ttl`); default 15 min, the config's default. */
  lockTtlMs?: number;
}

export interface ExportOptions {
  runners: readonly MonitoringRunner[];
  /** The pitcrew server's base URL; its /metrics is scraped. */
  serverUrl: string;
  environments: ReadonlyArray<string | MonitoringEnvironment>;
  /**
   * Multiplies every alert's `for:` (and the test timelines in rules.test.yml),
   * e.g. 0.1 for a demo or a test that cannot wait minutes. Default 1: for production.
   */
  forScale?: number;
  /** Prefix of the scrape job names: `<prefix>-agents`, `<prefix>-server`. Default `pitcrew`. */
  jobPrefix?: string;
  /** Base the alerts' runbook links start from: `<base>/docs/runbooks/<alert>.md`. */
  runbookBaseUrl: string;
}

export interface ResolvedExportOptions {
  runners: ReadonlyArray<{ name: string; target: string; scheme: 'http' | 'https' }>;
  server: { target: string; scheme: 'http' | 'https'; metricsPath: string };
  environments: readonly string[];
  /** Deploy lock TTL per environment, in ms. */
  lockTtlMs: Readonly<Record<string, number>>;
  forScale: number;
  jobPrefix: string;
  runbookBaseUrl: string;
}

/** The config's default `lock.ttl`. */
export const DEFAULT_LOCK_TTL_MS = 15 * 60_000;
export const MAX_FOR_SCALE = 100;

export const DEFAULT_AGENT_PORT = 9101;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const PREFIX = /^[a-z][a-z0-9_-]{0,30}$/;

export interface ScrapeJobs {
  agents: string;
  server: string;
}

export function scrapeJobs(prefix: string): ScrapeJobs {
  return { agents: `${prefix}-agents`, server: `${prefix}-server` };
}

/** @throws UsageError naming the option and what it must look like. */
export function resolveExportOptions(o: ExportOptions): ResolvedExportOptions {
  const jobPrefix = o.jobPrefix ?? 'pitcrew';
  if (!PREFIX.test(jobPrefix)) throw new UsageError(`monitoring export: jobPrefix "${jobPrefix}" must be lower-case letters, digits, "-" or "_", starting with a letter`);
  if (o.runners.length === 0) throw new UsageError('monitoring export: no runners configured', { hint: 'add at least one runner to the configuration' });
  if (o.environments.length === 0) throw new UsageError('monitoring export: no environments configured', { hint: 'add at least one environment to the configuration' });
  checkNames('runners[].name', o.runners.map((r) => r.name));
  const envs = o.environments.map((e) => (typeof e === 'string' ? { name: e } : e));
  checkNames('environments', envs.map((e) => e.name));
  const lockTtlMs: Record<string, number> = {};
  for (const e of envs) {
    const ttl = e.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    if (!Number.isInteger(ttl) || ttl < 1000) throw new UsageError(`monitoring export: environments.${e.name}.lockTtlMs ${ttl} must be a whole number of milliseconds, at least 1000`);
    lockTtlMs[e.name] = ttl;
  }
  const forScale = o.forScale ?? 1;
  if (!Number.isFinite(forScale) || forScale <= 0 || forScale > MAX_FOR_SCALE) {
    throw new UsageError(`monitoring export: forScale ${o.forScale} must be a number above 0 and at most ${MAX_FOR_SCALE}`, { hint: 'use e.g. 0.1 for a demo or a test; leave it out for production' });
  }
  const runners = o.runners.map((r, i) => ({ name: r.name, ...target(r.agentUrl ?? `http://${r.name}:${DEFAULT_AGENT_PORT}`, `runners[${i}].agentUrl`, DEFAULT_AGENT_PORT) }));
  const server = target(o.serverUrl, 'serverUrl');
  const base = parseUrl(o.runbookBaseUrl, 'runbookBaseUrl', true);
  return {
    runners,
    server: { ...server, metricsPath: `${server.path.replace(/\/+$/, '')}/metrics` },
    environments: envs.map((e) => e.name),
    lockTtlMs,
    forScale,
    jobPrefix,
    runbookBaseUrl: base.toString().replace(/\/+$/, ''),
  };
}

function checkNames(where: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (!NAME.test(n)) throw new UsageError(`monitoring export: ${where} "${n}" may only hold letters, digits, ".", "-" and "_" (up to 63), starting with a letter or digit`);
    if (n === 'other') throw new UsageError(`monitoring export: ${where} may not be named "other": that value stands for unknown names in metrics`);
    if (seen.has(n)) throw new UsageError(`monitoring export: ${where} "${n}" appears twice`);
    seen.add(n);
  }
}

function parseUrl(raw: string, where: string, allowFile = false): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`monitoring export: ${where} "${raw}" is not a URL`, { hint: 'write it with its scheme, e.g. http://host:port' });
  }
  if (allowFile && url.protocol === 'file:') return url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`monitoring export: ${where} "${raw}" must be an http or https URL`);
  return url;
}

function target(raw: string, where: string, defaultPort?: number): { target: string; scheme: 'http' | 'https'; path: string } {
  const url = parseUrl(raw, where);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  // URL drops a port equal to the scheme's default (":80"), so read what was written.
  const written = /^[a-z]+:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)/i.exec(raw)?.[1];
  const port = url.port || (written ? String(Number(written)) : String(defaultPort ?? (scheme === 'https' ? 443 : 80)));
  return { target: `${url.hostname}:${port}`, scheme, path: url.pathname };
}

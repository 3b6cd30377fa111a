/**
 * Real Prometheus and Alertmanager for scenarios (Debian's `prometheus` and
 * `prometheus-alertmanager`), on free loopback ports with their storage in the
 * scope's temp folders, stopped with the scope. Also turns the files of
 * `pitcrew monitoring export` into a prometheus.yml and an alertmanager.yml.
 *
 * A missing binary skips the scenario on a developer machine and fails it
 * when CI is set: CI must never skip a scenario.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { poll } from './poll.js';
import { freePort } from './ports.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';

/** The full path of `name` on PATH (or /usr/bin, /usr/sbin), or undefined. */
export function which(name: string): string | undefined {
  for (const d of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin']) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return undefined;
}

/**
 * For `test(name, { skip: missingTools(...) }, ...)`: false when every tool is
 * there; a skip reason when one is missing outside CI; throws in CI.
 */
export function missingTools(...names: string[]): false | string {
  const missing = names.filter((n) => !which(n));
  if (missing.length === 0) return false;
  const message = `${missing.join(', ')} not installed (Debian packages prometheus, prometheus-alertmanager)`;
  if (process.env.CI) throw new Error(`${message}; CI must run every scenario`);
  return message;
}

export interface Service {
  url: string;
  proc: Proc;
}

/** Waits until GET `url` answers 2xx, failing early when the process exits. */
async function waitReady(proc: Proc, url: string): Promise<void> {
  await poll(`${proc.name} to answer ${url}`, async () => {
    if (!proc.running()) throw new Error(`${proc.name} exited: ${proc.tail()}`);
    try {
      return (await fetch(url)).ok;
    } catch {
      return false;
    }
  }, { deadlineMs: 30_000, context: () => proc.tail() });
}

/** Starts Alertmanager with `config` (an object, written as YAML), clustering off. */
export async function startAlertmanager(scope: Scope, config: unknown): Promise<Service> {
  const dir = await scope.tempDir('pitcrew-alertmanager-');
  await writeFile(join(dir, 'alertmanager.yml'), stringify(config));
  const port = await freePort();
  const proc = await startProcess(scope, 'alertmanager', which('prometheus-alertmanager') ?? 'prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${url}/-/ready`);
  return { url, proc };
}

/** Starts Prometheus on the prometheus.yml in `dir` (rule files relative to it). */
export async function startPrometheus(scope: Scope, dir: string): Promise<Service> {
  const port = await freePort();
  const proc = await startProcess(scope, 'prometheus', which('prometheus') ?? 'prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { cwd: dir });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${url}/-/ready`);
  return { url, proc };
}

export interface PrometheusFromExport {
  /** The folder `pitcrew monitoring export --out` wrote. */
  exportDir: string;
  /** Where prometheus.yml, the rules and the token file go. */
  dir: string;
  /** Alertmanager's host:port. */
  alertmanager: string;
  /** A viewer token for the server's /metrics (written to a credentials file). */
  serverToken: string;
  /** Scrape and evaluation interval, e.g. `1s`. */
  interval: string;
}

/**
 * Writes prometheus.yml as monitoring.md tells a user to: the exported rules
 * in `rule_files`, the exported scrape jobs in `scrape_configs` with the
 * server job given the token file. The only changes to the exported files are
 * the scrape interval (a scenario cannot wait 15 s per scrape) and that token.
 */
export async function writePrometheusConfig(o: PrometheusFromExport): Promise<void> {
  const scrape = parse(await readFile(join(o.exportDir, 'prometheus', 'scrape.yml'), 'utf8')) as { scrape_configs: Array<Record<string, unknown>> };
  await writeFile(join(o.dir, 'rules.yml'), await readFile(join(o.exportDir, 'prometheus', 'rules.yml')));
  await writeFile(join(o.dir, 'server-token'), o.serverToken);
  const jobs = scrape.scrape_configs.map((job) => ({
    ...job,
    scrape_interval: o.interval,
    scrape_timeout: o.interval,
    ...(String(job.job_name).endsWith('-server') ? { authorization: { type: 'Bearer', credentials_file: join(o.dir, 'server-token') } } : {}),
  }));
  const config = {
    global: { scrape_interval: o.interval, evaluation_interval: o.interval },
    rule_files: ['rules.yml'],
    alerting: { alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [o.alertmanager] }] }] },
    scrape_configs: jobs,
  };
  await writeFile(join(o.dir, 'prometheus.yml'), stringify(config));
}

/** The exported Alertmanager route example with every webhook URL pointed at `receiverUrl` (path kept). */
export async function alertmanagerConfigFromExport(exportDir: string, receiverUrl: string): Promise<unknown> {
  const config = parse(await readFile(join(exportDir, 'alertmanager', 'route.example.yml'), 'utf8')) as { receivers: Array<{ webhook_configs?: Array<{ url: string }> }> };
  for (const r of config.receivers) {
    for (const w of r.webhook_configs ?? []) w.url = new URL(new URL(w.url).pathname, receiverUrl).href;
  }
  return config;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

/** Prometheus's current alerts (GET /api/v1/alerts). */
export async function prometheusAlerts(url: string): Promise<PromAlert[]> {
  const res = await fetch(`${url}/api/v1/alerts`);
  if (!res.ok) throw new Error(`GET /api/v1/alerts: HTTP ${res.status}`);
  return ((await res.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
}

/** Prometheus's scrape targets (GET /api/v1/targets, active ones). */
export async function prometheusTargets(url: string): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>> {
  const res = await fetch(`${url}/api/v1/targets?state=active`);
  if (!res.ok) throw new Error(`GET /api/v1/targets: HTTP ${res.status}`);
  return ((await res.json()) as { data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> } }).data.activeTargets;
}

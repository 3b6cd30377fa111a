/**
 * The configured fleet as the server sees it: for each runner its labels,
 * priority, thresholds, and the environments it may deploy to (the runner
 * lists the environment or the environment lists the runner), plus the hosts
 * its agent should probe. Derived from the configuration only; holds no state.
 */
import type { Config, RunnerConfig } from '../config/index.js';
import { targetName } from '../config/index.js';
import type { HealthThresholds } from '../fleet/thresholds.js';
import { resolveThresholds } from '../fleet/thresholds.js';

export interface ProbeTarget {
  name: string;
  host: string;
  port: number;
}

export interface RosterEntry {
  name: string;
  labels: string[];
  environments: string[];
  priority: number;
  thresholds: HealthThresholds;
  probeTargets: ProbeTarget[];
}

export type Roster = ReadonlyMap<string, RosterEntry>;

export function buildRoster(config: Config): Roster {
  const server = serverTarget(config.server.url);
  const roster = new Map<string, RosterEntry>();
  for (const r of config.runners) {
    const environments = environmentsOf(config, r);
    roster.set(r.name, {
      name: r.name,
      labels: [...r.labels],
      environments,
      priority: r.priority,
      thresholds: thresholdsOf(r),
      probeTargets: [...sshTargets(config, environments), server],
    });
  }
  return roster;
}

/** The environments a runner may deploy to, sorted. */
export function environmentsOf(config: Config, runner: RunnerConfig): string[] {
  const envs = new Set(runner.environments);
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.runners.includes(runner.name)) envs.add(name);
  }
  return [...envs].sort();
}

function thresholdsOf(r: RunnerConfig): HealthThresholds {
  const t = r.thresholds;
  return resolveThresholds(
    {
      diskFreeMinRatio: t.diskFreeMinRatio,
      diskFreeMinBytes: t.diskFreeMinBytes,
      memoryAvailableMinRatio: t.memoryAvailableMinRatio,
      loadPerCoreMax: t.loadPerCoreMax,
      heartbeatTimeoutMs: t.heartbeatTimeout,
    },
    `runners.${r.name}.thresholds`,
  );
}

function sshTargets(config: Config, environments: readonly string[]): ProbeTarget[] {
  const seen = new Set<string>();
  const out: ProbeTarget[] = [];
  for (const envName of environments) {
    const env = config.environments[envName];
    if (!env || env.transport !== 'ssh') continue;
    for (const t of env.targets) {
      const port = t.port ?? 22;
      const key = `${t.host}:${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: String(targetName(t as unknown as Record<string, unknown>)), host: t.host, port });
    }
  }
  return out;
}

function serverTarget(url: string): ProbeTarget {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { name: 'server', host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

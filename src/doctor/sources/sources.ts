/**
 * Everything doctor can look at, behind one object of memoized, bounded
 * sources: the local agent, local probes and the _diag folder (runner host
 * only), the server's API, GitHub, the store and the environment's targets.
 * Each source is asked at most once per run, under a deadline, and says why
 * when it was not asked. Nothing here judges; the checks do.
 */
import { existsSync } from 'node:fs';
import { runProbes as defaultRunProbes, type ProbeConfig } from '../../agent/probes/run-probes.js';
import type { ProbeResult } from '../../agent/probes/types.js';
import type { RunnerServiceTarget } from '../../agent/probes/runner-service.js';
import type { TcpTarget } from '../../agent/probes/tcp.js';
import { readNewestDiagLog } from '../../agent/diag-log.js';
import { execCommand, type Exec } from '../../agent/probes/exec.js';
import type { AgentStatus } from '../../agent/status.js';
import type { Env } from '../../cli/io.js';
import type { Config, Environment } from '../../config/index.js';
import { resolveThresholds, type HealthThresholds } from '../../fleet/thresholds.js';
import { openStore as defaultOpenStore, resolveStoreUrl, type Store } from '../../store/index.js';
import { agentMetrics, agentStatus } from './agent.js';
import { githubView, type GitHubView } from './github.js';
import type { Fetch } from './http.js';
import { doctorServerClient, type ServerLockAnswer, type ServerRunnerAnswer } from './server.js';
import { absent, once, settle, type Source } from './source.js';
import { inspectTargets, type TargetInspection, type TransportLookup } from './targets.js';

export type DoctorMode = 'runner-host' | 'server-view';

export interface DoctorOptions {
  runner?: string;
  environment?: string;
  agentUrl: string;
  /** The agent URL was given (--agent): the host is a runner host even if the agent is down. */
  agentExplicit: boolean;
  service?: RunnerServiceTarget;
  workDir?: string;
  diagDir?: string;
  server?: string;
  token?: string;
  config?: Config;
  /** Store URL; default config.server.database. */
  database?: string;
  cwd: string;
  /** Folder a relative database path is resolved from (the configuration's folder; default cwd). */
  storeCwd?: string;
  env: Env;
  /** Deadline of each remote call. */
  timeoutMs: number;
}

export interface DoctorPorts {
  fetch: Fetch;
  now: () => number;
  runProbes: (config: ProbeConfig) => Promise<ProbeResult[]>;
  openStore: (url: string, cwd: string) => Promise<Store>;
  /** Runs `systemctl show` for the runner unit's history. */
  exec: Exec;
  transportFor?: TransportLookup;
}

export const defaultDoctorPorts: DoctorPorts = {
  fetch: (input, init) => globalThis.fetch(input, init),
  now: () => Date.now(),
  runProbes: (config) => defaultRunProbes(config),
  openStore: (url, cwd) => defaultOpenStore(url, { cwd }),
  exec: execCommand,
};

export interface DoctorSources {
  readonly mode: DoctorMode;
  readonly runner?: string;
  readonly environment?: string;
  readonly opts: DoctorOptions;
  readonly thresholds: HealthThresholds;
  now(): number;
  agentStatus(): Promise<Source<AgentStatus>>;
  agentMetrics(): Promise<Source<string>>;
  /** Runner-service, disk, memory, load and reachability probes run here, now. */
  localProbes(): Promise<Source<ProbeResult[]>>;
  /** Hosts the reachability probes aim at, by probe name. */
  reachTargets(): Map<string, TcpTarget & { kind: 'server' | 'github' | 'host' }>;
  /** systemd's record of the runner unit: `ActiveEnterTimestamp`, `ExecMainStatus` ... (runner host, --service only). */
  serviceHistory(): Promise<Source<Record<string, string>>>;
  diag(): Promise<Source<{ file: string; lines: string[] }>>;
  serverRunner(): Promise<Source<ServerRunnerAnswer>>;
  serverLock(): Promise<Source<ServerLockAnswer>>;
  github(): Promise<Source<GitHubView>>;
  store(): Promise<Source<Store>>;
  envConfig(): Environment | undefined;
  targets(): Promise<Source<TargetInspection[]>>;
  close(): Promise<void>;
}

/** Answers already fetched (the agent's /status asked to decide the mode), reused instead of asking again. */
export interface Prefetched {
  agentStatus?: Source<AgentStatus>;
}

export function createSources(opts: DoctorOptions, mode: DoctorMode, runner: string | undefined, ports: DoctorPorts, prefetched: Prefetched = {}): DoctorSources {
  const t = opts.timeoutMs;
  const config = opts.config;
  const runnerConfig = config?.runners.find((r) => r.name === runner);
  const th = runnerConfig?.thresholds;
  const thresholds = resolveThresholds(
    th
      ? {
          diskFreeMinRatio: th.diskFreeMinRatio,
          diskFreeMinBytes: th.diskFreeMinBytes,
          memoryAvailableMinRatio: th.memoryAvailableMinRatio,
          loadPerCoreMax: th.loadPerCoreMax,
          heartbeatTimeoutMs: th.heartbeatTimeout,
        }
      : {},
    `runners.${runner ?? '?'}.thresholds`,
  );
  const serverUrl = opts.server ?? config?.server.url;
  const server = serverUrl && (opts.server || opts.token) ? doctorServerClient(serverUrl, opts.token, ports.fetch, t) : undefined;
  const noServer = 'no server given (pass --server URL and --token, or set PITCREW_SERVER and PITCREW_TOKEN)';
  const envConfig = opts.environment ? config?.environments[opts.environment] : undefined;
  let openedStore: Store | undefined;

  const reach = once(async () => reachTargets(opts, runner, serverUrl));
  let reachMap: Map<string, TcpTarget & { kind: 'server' | 'github' | 'host' }> = new Map();

  const sources: DoctorSources = {
    mode,
    runner,
    environment: opts.environment,
    opts,
    thresholds,
    now: ports.now,
    agentStatus: once(async () => prefetched.agentStatus ?? settle(() => agentStatus(ports.fetch, opts.agentUrl, t), t, 'agent /status')),
    agentMetrics: once(() => settle(() => agentMetrics(ports.fetch, opts.agentUrl, t), t, 'agent /metrics')),
    localProbes: once(async () => {
      if (mode !== 'runner-host') return absent('not on a runner host: local probes need --agent, --service, --pid-file, --work-dir or --diag-dir');
      reachMap = await reach();
      const tcp = [...reachMap.entries()].map(([name, target]) => ({ name: name.replace(/^tcp:/, ''), host: target.host, port: target.port }));
      return settle(() => ports.runProbes({ runner: opts.service, workDir: opts.workDir ?? opts.cwd, tcp, timeoutMs: Math.min(t, 2000) }), t + 500, 'local probes');
    }),
    reachTargets: () => reachMap,
    serviceHistory: once(async () => {
      const service = opts.service;
      if (mode !== 'runner-host' || !service || !('systemdUnit' in service)) return absent('no systemd unit (--service) on this host');
      const props = ['ActiveState', 'ActiveEnterTimestamp', 'InactiveEnterTimestamp', 'ExecMainStatus', 'NRestarts', 'Result'];
      return settle(
        async () => {
          const res = await ports.exec('systemctl', ['show', service.systemdUnit, ...props.flatMap((p) => ['-p', p])], { timeoutMs: t });
          if (res.code !== 0) throw new Error(`systemctl show ${service.systemdUnit} exited ${res.code}: ${res.stderr.trim()}`);
          return Object.fromEntries(res.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
        },
        t,
        'systemctl show',
      );
    }),
    diag: once(async () => {
      if (!opts.diagDir) return absent('no --diag-dir given (the runner\'s _diag folder)');
      const dir = opts.diagDir;
      const read = await settle(() => readNewestDiagLog(dir), t, `read ${dir}`);
      if (read.kind === 'ok' && read.value === undefined) return absent(`no Runner_*.log in ${dir}`);
      return read as Source<{ file: string; lines: string[] }>;
    }),
    serverRunner: once(async () => {
      if (!server) return absent(noServer);
      if (!runner) return absent('no runner named (--runner NAME)');
      return settle(() => server.runner(runner), t, `server ${server.origin}`);
    }),
    serverLock: once(async () => {
      if (!server) return absent(noServer);
      if (!opts.environment) return absent('no environment named (--env ENV)');
      const env = opts.environment;
      return settle(() => server.lock(env), t, `server ${server.origin}`);
    }),
    github: once(async () => {
      const gh = config?.github;
      if (!gh) return absent('no `github` section in the configuration');
      const token = opts.env[gh.tokenEnv];
      if (!token) return absent(`$${gh.tokenEnv} (github.tokenEnv) is not set here`);
      return settle(() => githubView({ token, apiUrl: gh.apiUrl, owner: gh.owner, repo: gh.repo, fetch: ports.fetch, timeoutMs: t }), t * 2, 'GitHub API');
    }),
    store: once(async () => {
      const url = opts.database ?? config?.server.database;
      if (url === undefined) return absent('no configuration and no --db: the store is unknown');
      let resolved;
      try {
        resolved = resolveStoreUrl(url, opts.storeCwd ?? opts.cwd);
      } catch (err) {
        return { kind: 'error', error: (err as Error).message };
      }
      if (resolved.backend === 'sqlite' && resolved.target !== ':memory:' && !existsSync(resolved.target)) {
        return absent(`no database at ${resolved.target} (run doctor where the server's database is, or pass --db)`);
      }
      const answer = await settle(() => ports.openStore(url, opts.storeCwd ?? opts.cwd), t, 'open the store');
      if (answer.kind === 'ok') openedStore = answer.value;
      return answer;
    }),
    envConfig: () => envConfig,
    targets: once(async () => {
      if (!opts.environment) return absent('no environment named (--env ENV)');
      if (!config) return absent('no configuration: the targets are unknown');
      if (!envConfig) return absent(`environment ${opts.environment} is not in ${Object.keys(config.environments).join(', ') || 'the configuration'}`);
      const env = opts.environment;
      return settle(() => inspectTargets(env, envConfig, t, ports.transportFor), t + 1000, 'inspect targets');
    }),
    async close() {
      await openedStore?.close().catch(() => undefined);
    },
  };
  return sources;
}

/** The server, GitHub's API and the ssh hosts of the environments this runner deploys to (or of --env). */
function reachTargets(opts: DoctorOptions, runner: string | undefined, serverUrl: string | undefined): Map<string, TcpTarget & { kind: 'server' | 'github' | 'host' }> {
  const out = new Map<string, TcpTarget & { kind: 'server' | 'github' | 'host' }>();
  const add = (url: string, name: string, kind: 'server' | 'github') => {
    try {
      const u = new URL(url);
      const port = u.port ? Number(u.port) : u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80;
      out.set(`tcp:${name}`, { name, host: u.hostname.replace(/^\[|\]$/g, ''), port, kind });
    } catch {
      // An unparsable URL is reported by the checks that use it.
    }
  };
  if (serverUrl) add(serverUrl, 'server', 'server');
  const config = opts.config;
  if (config?.github) add(config.github.apiUrl, 'github', 'github');
  const envs = new Set<string>();
  if (opts.environment) envs.add(opts.environment);
  if (config && runner) {
    for (const e of config.runners.find((r) => r.name === runner)?.environments ?? []) envs.add(e);
    for (const [name, env] of Object.entries(config.environments)) if (env.runners.includes(runner)) envs.add(name);
  }
  for (const name of envs) {
    const env = config?.environments[name];
    if (env?.transport !== 'ssh') continue;
    for (const target of env.targets) {
      const label = target.name ?? `${target.host}:${target.port}`;
      out.set(`tcp:${label}`, { name: label, host: target.host, port: target.port, kind: 'host' });
    }
  }
  return out;
}

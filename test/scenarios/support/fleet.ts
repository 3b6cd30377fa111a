/**
 * A real pitcrew fleet for scenarios: a configuration file in a temp folder,
 * the `pitcrew server` process (SQLite in that folder), one `pitcrew agent`
 * process per runner watching a stand-in runner process (`sleep`, through
 * `--pid-file`), and the CLI and HTTP API to ask the server. Ports are chosen
 * before the configuration is written, so `server.url` and each runner's
 * `agentUrl` are the real addresses. Tokens reach the processes through
 * environment variables only, never through flags.
 *
 * It must never stub a component: every process is the compiled CLI.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cleanEnv, PITCREW_BIN, runPitcrew, type CliResult } from './cli.js';
import { poll, type PollOptions } from './poll.js';
import { freePort } from './ports.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';

/** Token values and the variables the configuration reads them from. */
export const TOKENS = {
  viewer: { env: 'PITCREW_SCENARIO_VIEWER_TOKEN', value: 'scenario-viewer-7f3a9c' },
  deployer: { env: 'PITCREW_SCENARIO_DEPLOYER_TOKEN', value: 'scenario-deployer-2b81d4' },
  agent: { env: 'PITCREW_SCENARIO_AGENT_TOKEN', value: 'scenario-agent-c05e17' },
  admin: { env: 'PITCREW_SCENARIO_ADMIN_TOKEN', value: 'scenario-admin-94d6b2' },
} as const;

/**
 * Thresholds no real machine crosses: a runner with these is judged only on
 * being alive, so the scenario machine's own disk, memory and load (a busy CI
 * host) never decide a scenario that is not about them. The heartbeat timeout
 * (10 s instead of 3 s) tolerates a loaded host's pauses; a killed agent is
 * still offline at once, because its connection closes.
 */
export const CALM_THRESHOLDS = { diskFreeMinRatio: 0, diskFreeMinBytes: 0, memoryAvailableMinRatio: 0, loadPerCoreMax: 1000, heartbeatTimeout: '10s' };

export interface RunnerSpec {
  name: string;
  priority: number;
  labels?: string[];
  /** `runners[].thresholds` of pitcrew.yml; default CALM_THRESHOLDS. */
  thresholds?: Record<string, string | number>;
}

export interface FleetOptions {
  runners: RunnerSpec[];
  /** The environment every runner deploys to (default `production`). */
  environment?: string;
  /** `environments` of pitcrew.yml; default: the environment with one local target folder. */
  environments?: Record<string, unknown>;
  /** Written to the top level of pitcrew.yml as they are (e.g. `github`, `secrets`). */
  extra?: Record<string, unknown>;
}

/** The server's RunnerView, the fields scenarios read. */
export interface RunnerView {
  name: string;
  state: 'online' | 'degraded' | 'offline';
  reasons: string[];
  connected: boolean;
  priority: number;
  [key: string]: unknown;
}

export class Fleet {
  server: Proc | undefined;
  readonly agents = new Map<string, Proc>();
  /** The stand-in runner process of each runner (what its agent's `--pid-file` names). */
  readonly runners = new Map<string, Proc>();

  private constructor(
    private readonly scope: Scope,
    readonly dir: string,
    readonly configPath: string,
    readonly serverUrl: string,
    readonly environment: string,
    private readonly agentPorts: Map<string, number>,
  ) {}

  /** Writes pitcrew.yml and starts a stand-in runner per runner; starts no pitcrew process yet. */
  static async create(scope: Scope, opts: FleetOptions): Promise<Fleet> {
    const dir = await scope.tempDir('pitcrew-fleet-');
    const environment = opts.environment ?? 'production';
    const serverPort = await freePort();
    const serverUrl = `http://127.0.0.1:${serverPort}`;
    const agentPorts = new Map<string, number>();
    for (const r of opts.runners) agentPorts.set(r.name, await freePort());
    const config = {
      project: 'scenario',
      server: {
        url: serverUrl,
        listen: `127.0.0.1:${serverPort}`,
        database: join(dir, 'pitcrew.db'),
        tokens: Object.entries(TOKENS).map(([role, t]) => ({ name: `${role}s`, role, env: t.env })),
      },
      runners: opts.runners.map((r) => ({
        name: r.name,
        labels: r.labels ?? ['self-hosted', 'linux'],
        environments: [environment],
        priority: r.priority,
        agentUrl: `http://127.0.0.1:${agentPorts.get(r.name)}`,
        thresholds: r.thresholds ?? CALM_THRESHOLDS,
      })),
      environments: opts.environments ?? { [environment]: { transport: 'local', targets: [{ name: 'web-1', folder: join(dir, 'targets', 'web-1') }] } },
      ...opts.extra,
    };
    const configPath = join(dir, 'pitcrew.yml');
    await writeFile(configPath, stringify(config));
    const fleet = new Fleet(scope, dir, configPath, serverUrl, environment, agentPorts);
    for (const r of opts.runners) await fleet.startStandInRunner(r.name);
    return fleet;
  }

  /** The environment every pitcrew process gets: PATH, HOME and the token variables. */
  tokenEnv(): Record<string, string | undefined> {
    return cleanEnv(Object.fromEntries(Object.values(TOKENS).map((t) => [t.env, t.value])));
  }

  /** The runner's work directory (its agent's `--work-dir`). */
  workDir(runner: string): string {
    return join(this.dir, 'runners', runner, '_work');
  }

  agentUrl(runner: string): string {
    const port = this.agentPorts.get(runner);
    if (port === undefined) throw new Error(`no runner ${runner} in this fleet`);
    return `http://127.0.0.1:${port}`;
  }

  /** A `sleep 600` standing in for the GitHub runner, its pid in runners/NAME/runner.pid. */
  async startStandInRunner(runner: string): Promise<Proc> {
    await mkdir(this.workDir(runner), { recursive: true });
    const proc = await startProcess(this.scope, `runner ${runner}`, 'sleep', ['600']);
    await writeFile(join(this.dir, 'runners', runner, 'runner.pid'), `${proc.pid}\n`);
    this.runners.set(runner, proc);
    return proc;
  }

  /** Starts `pitcrew server` and waits until it logs that it listens. */
  async startServer(): Promise<Proc> {
    const server = await startProcess(this.scope, 'pitcrew server', process.execPath, [PITCREW_BIN, '--config', this.configPath, 'server'], { env: this.tokenEnv(), cwd: this.dir });
    this.server = server;
    await poll('the server to listen', () => {
      if (!server.running()) throw new Error(`the server exited: ${server.tail()}`);
      return server.stderr().includes('pitcrew server listening');
    }, { deadlineMs: 30_000, context: () => server.tail() });
    return server;
  }

  /** Starts (or starts again) `pitcrew agent` for `runner` and waits until its /status says connected. */
  async startAgent(runner: string): Promise<Proc> {
    const url = this.agentUrl(runner);
    const args = [
      PITCREW_BIN, 'agent', '--server', this.serverUrl, '--runner', runner,
      '--listen', url.replace('http://', ''), '--pid-file', join(this.dir, 'runners', runner, 'runner.pid'), '--work-dir', this.workDir(runner),
    ];
    const agent = await startProcess(this.scope, `pitcrew agent ${runner}`, process.execPath, args, { env: cleanEnv({ PITCREW_TOKEN: TOKENS.agent.value }), cwd: this.dir });
    this.agents.set(runner, agent);
    await poll(`the agent of ${runner} to connect`, async () => {
      if (!agent.running()) throw new Error(`the agent exited: ${agent.tail()}`);
      const status = (await (await fetch(`${url}/status`)).json()) as { connected: boolean; state: string | null };
      return status.connected && status.state !== null;
    }, { deadlineMs: 30_000, context: () => this.logs() });
    return agent;
  }

  /** `pitcrew --server URL ARGS` with the viewer token in $PITCREW_TOKEN. */
  cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return runPitcrew(['--server', this.serverUrl, ...args], { env: { PITCREW_TOKEN: TOKENS.viewer.value, ...env }, cwd: this.dir });
  }

  /** GET a server API path with the viewer token; fails on a non-2xx answer. */
  async api<T = unknown>(path: string): Promise<T> {
    const res = await fetch(`${this.serverUrl}${path}`, { headers: { authorization: `Bearer ${TOKENS.viewer.value}` } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** The server's view of one runner (GET /api/v1/runners). */
  async runner(name: string): Promise<RunnerView> {
    const { runners } = await this.api<{ runners: RunnerView[] }>('/api/v1/runners');
    const view = runners.find((r) => r.name === name);
    if (!view) throw new Error(`the server lists no runner ${name}`);
    return view;
  }

  /** Polls the server until `runner` is in `state`; returns that view. */
  async waitForState(runner: string, state: RunnerView['state'], opts: PollOptions = {}): Promise<RunnerView> {
    let last: RunnerView | undefined;
    return poll(`runner ${runner} to be ${state}`, async () => {
      last = await this.runner(runner);
      return last.state === state ? last : undefined;
    }, { context: () => `last view: ${JSON.stringify(last)}\n${this.logs()}`, ...opts });
  }

  /** The agent's own Prometheus text (its --listen address). */
  async agentMetrics(runner: string): Promise<string> {
    const res = await fetch(`${this.agentUrl(runner)}/metrics`);
    if (!res.ok) throw new Error(`agent ${runner} /metrics: HTTP ${res.status}`);
    return res.text();
  }

  /** The processes (server, agents) whose output contains a token's value: should always be empty. */
  leakedTokens(): string[] {
    const procs = [this.server, ...this.agents.values()].filter((p): p is Proc => p !== undefined);
    return procs.flatMap((p) => Object.entries(TOKENS).filter(([, t]) => (p.stdout() + p.stderr()).includes(t.value)).map(([role]) => `${p.name}: ${role} token`));
  }

  /** The recent output of the server and every agent, for failure messages. */
  logs(): string {
    return [this.server, ...this.agents.values()].filter((p): p is Proc => p !== undefined).map((p) => p.tail()).join('\n');
  }
}

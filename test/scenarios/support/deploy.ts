/**
 * A fleet that deploys, for scenarios: the runners, server and agents of
 * `Fleet`, plus an environment `production` of three targets (web-1..3), real
 * SSH hosts (see ssh-hosts.ts) or local folders, and real `.tar.gz` artifacts
 * with their `.sha256` beside them. `pitcrew deploy` runs as its own process
 * on the same pitcrew.yml as the server, so both use one SQLite store
 * (`server.database: pitcrew.db`, relative to the configuration's folder).
 *
 * The application on the targets: the restart step runs the release's
 * `start.sh`, which writes `ok` (or `fail`) to `shared/health`; the health
 * check reads that file. A release made with `failOn: ['web-2']` writes
 * `fail` on web-2 only. Must never fake a pitcrew component.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { makeArtifact } from '../../deploy/fixtures.js';
import { openStore } from '../../../src/store/index.js';
import type { Deployment, JournalEvent } from '../../../src/store/index.js';
import { PITCREW_BIN, runPitcrew, type CliResult } from './cli.js';
import { Fleet, type RunnerSpec } from './fleet.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';
import { startSshHosts, type SshHosts } from './ssh-hosts.js';

export { TARGET_NAMES } from './stage.js';
import { TARGET_NAMES } from './stage.js';
export const ENV = 'production';

export interface DeployFleetOptions {
  transport: 'ssh' | 'local';
  /** Default: primary (priority 1) and secondary (priority 2). */
  runners?: RunnerSpec[];
  /** `batch.size`: targets switched together (default 1, one at a time). */
  batchSize?: number;
  /** `lock.ttl` of the environment (default 5s). */
  lockTtl?: string;
}

/** A target's files as a sorted listing: `path type size mtime` or `path -> link`. */
export type Snapshot = string[];

export interface DeployFleet {
  fleet: Fleet;
  /** Each target's folder on this machine (what its host sees as `path`). */
  folders: string[];
  dbPath: string;
  ssh: SshHosts | undefined;
  /** A real artifact `shop-VERSION.tar.gz` (in a folder of its own) and its `.sha256`. */
  release(version: string, opts?: { failOn?: string[] }): Promise<string>;
  /** `pitcrew --config ... deploy production --artifact FILE` to completion. */
  deploy(artifact: string, opts?: { runner?: string; json?: boolean; args?: string[] }): Promise<CliResult>;
  /** The same, as a process the scenario can watch (for deploys that run at once). */
  startDeploy(name: string, artifact: string, opts?: { runner?: string; json?: boolean }): Promise<Proc>;
  /** Any other `pitcrew --config ... ARGS` against the fleet's store and targets. */
  pitcrew(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** The release `current` points at on each target, read from disk (undefined: none). */
  currents(): Promise<Array<string | undefined>>;
  /** The release folders on each target, read from disk. */
  releaseDirs(): Promise<string[][]>;
  /** Every file, folder and symlink under each target folder. */
  snapshot(): Promise<Snapshot[]>;
  /** The deployments of production, newest first, and their journals, read from the store file. */
  deployments(): Promise<Array<Deployment & { journal: JournalEvent[] }>>;
}

function appFiles(version: string, failOn: string[]): Record<string, string> {
  const fail = failOn.map((t) => `[ "$PITCREW_TARGET" = "${t}" ] && { echo fail; exit 0; }`).join('\n');
  return { VERSION: `${version}\n`, 'start.sh': `#!/bin/sh\n${fail}\necho ok\n` };
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(root, path));
    if (st.isSymbolicLink()) out.push(`${path} -> ${await readlink(join(root, path))}`);
    else if (st.isDirectory()) out.push(`${path}/`, ...(await walk(root, path)));
    else out.push(`${path} ${st.size} bytes, mtime ${st.mtimeMs}, sha256 ${createHash('sha256').update(await readFile(join(root, path))).digest('hex')}`);
  }
  return out;
}

export async function deployFleet(scope: Scope, opts: DeployFleetOptions): Promise<DeployFleet> {
  const ssh = opts.transport === 'ssh' ? await startSshHosts(scope, [...TARGET_NAMES]) : undefined;
  const common = {
    keepReleases: 5,
    batch: { size: opts.batchSize ?? 1, maxFailPercent: 0 },
    steps: { restart: 'sh ./start.sh > "$PITCREW_PATH/shared/health"' },
    healthChecks: [{ kind: 'command', name: 'app health file says ok', run: 'test "$(cat "$PITCREW_PATH/shared/health")" = ok', retries: 0, interval: '10ms', timeout: '10s' }],
    lock: { ttl: opts.lockTtl ?? '5s', wait: '60s' },
  };
  const localRoot = ssh ? undefined : await scope.tempDir('pitcrew-targets-');
  const folders = ssh ? ssh.hosts.map((h) => h.folder) : TARGET_NAMES.map((t) => join(localRoot!, t));
  for (const f of folders) await mkdir(f, { recursive: true });
  const environment = ssh
    ? { transport: 'ssh', path: ssh.path, targets: ssh.targets(), ...common }
    : { transport: 'local', targets: TARGET_NAMES.map((name, i) => ({ name, folder: folders[i] })), ...common };
  const fleet = await Fleet.create(scope, {
    runners: opts.runners ?? [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }],
    environment: ENV,
    environments: { [ENV]: environment },
  });
  // One store for the server and every deployer, named relative to pitcrew.yml's folder.
  const config = parse(await readFile(fleet.configPath, 'utf8')) as { server: Record<string, unknown> };
  config.server.database = 'pitcrew.db';
  await writeFile(fleet.configPath, stringify(config));
  const artifacts = await scope.tempDir('pitcrew-artifacts-');
  let n = 0;

  const deployArgs = (artifact: string, json: boolean | undefined) => ['--config', fleet.configPath, ...(json ? ['--json'] : []), 'deploy', ENV, '--artifact', artifact];
  const deployEnv = (runner: string | undefined) => ({ ...fleet.tokenEnv(), RUNNER_NAME: runner ?? 'primary', GITHUB_ACTOR: 'scenario' });
  const df: DeployFleet = {
    fleet, folders, dbPath: join(fleet.dir, 'pitcrew.db'), ssh,
    async release(version, o = {}) {
      const dir = join(artifacts, String(++n));
      await mkdir(dir);
      const name = `shop-${version}.tar.gz`;
      const file = await makeArtifact(dir, name, appFiles(version, o.failOn ?? []));
      const digest = createHash('sha256').update(await readFile(file)).digest('hex');
      await writeFile(`${file}.sha256`, `${digest}  ${name}\n`);
      return file;
    },
    deploy: (artifact, o = {}) => runPitcrew([...deployArgs(artifact, o.json), ...(o.args ?? [])], { env: deployEnv(o.runner), cwd: fleet.dir, timeoutMs: 60_000 }),
    startDeploy: (name, artifact, o = {}) => startProcess(scope, name, process.execPath, [PITCREW_BIN, ...deployArgs(artifact, o.json)], { env: deployEnv(o.runner), cwd: fleet.dir }),
    pitcrew: (args, env = {}) => runPitcrew(['--config', fleet.configPath, ...args], { env: { ...fleet.tokenEnv(), ...env }, cwd: fleet.dir }),
    currents: () => Promise.all(folders.map(async (f) => (await readlink(join(f, 'current')).catch(() => undefined))?.replace(/^releases\//, ''))),
    releaseDirs: () => Promise.all(folders.map(async (f) => (await readdir(join(f, 'releases')).catch(() => [] as string[])).sort())),
    snapshot: () => Promise.all(folders.map((f) => walk(f))),
    async deployments() {
      const store = await openStore(df.dbPath);
      try {
        const list = await store.listDeployments({ environment: ENV });
        return await Promise.all(list.map(async (d) => ({ ...d, journal: await store.listJournal(d.id) })));
      } finally {
        await store.close();
      }
    },
  };
  return df;
}

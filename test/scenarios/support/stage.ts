/**
 * A deploy stage for scenarios: three local target folders (web-1..3), real
 * .tar.gz artifacts with their `.sha256`, the `environments` entry of
 * pitcrew.yml that deploys to them, and ways to watch a deploy from outside:
 * where each target's `current` points, and the store's deployments, journal,
 * lock and audit log (read through pitcrew's own store code, never written).
 *
 * The restart step can be held: while a target folder has a `hold` file, the
 * restart there waits (polling) until the file goes or the deployer that ran
 * it dies. That is how a scenario stops a deploy at a chosen point (e.g. after
 * web-1 and web-2 switched, before web-3) without sleeping or guessing.
 *
 * It must never change a target or the store itself: every change a scenario
 * judges is made by a real `pitcrew` process.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStore, type Store } from '../../../src/store/index.js';
import { makeArtifact } from '../../deploy/fixtures.js';
import { PITCREW_BIN, runPitcrew, cleanEnv, type CliResult } from './cli.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';

export const TARGET_NAMES = ['web-1', 'web-2', 'web-3'] as const;

/**
 * Records each restart in the target, then waits while `hold` exists there and
 * the deployer ($PPID of this shell) is alive.
 */
export const HOLDABLE_RESTART =
  'echo "$PITCREW_RELEASE" >> "$PITCREW_PATH/restarts"; while [ -e "$PITCREW_PATH/hold" ] && kill -0 $PPID 2>/dev/null; do sleep 0.05; done';

export interface StageOptions {
  /** The environment's name (default `production`). */
  environment?: string;
  /** `lock.ttl` (default 30s). */
  ttl?: string;
  /** `lock.wait` (default 60s). */
  wait?: string;
  /** `smokeTests` of the environment. */
  smokeTests?: unknown[];
  /** `runners` of the environment (names). */
  runners?: string[];
}

export interface Artifact {
  file: string;
  version: string;
  sha256: string;
  /** The release id pitcrew gives it: VERSION-DIGEST12. */
  releaseId: string;
}

export class Stage {
  readonly folders: string[];
  readonly environment: string;

  private constructor(readonly dir: string, private readonly opts: StageOptions) {
    this.folders = TARGET_NAMES.map((t) => join(dir, 'targets', t));
    this.environment = opts.environment ?? 'production';
  }

  /** Three empty target folders in a temp folder of the scope. */
  static async create(scope: Scope, opts: StageOptions = {}): Promise<Stage> {
    const stage = new Stage(await scope.tempDir('pitcrew-stage-'), opts);
    for (const f of stage.folders) await mkdir(f, { recursive: true });
    await mkdir(join(stage.dir, 'artifacts'));
    return stage;
  }

  /** The environment's entry under `environments:`: batches of one, the holdable restart, a health check per target. */
  environmentConfig(): Record<string, unknown> {
    return {
      transport: 'local',
      targets: this.folders.map((folder, i) => ({ name: TARGET_NAMES[i], folder })),
      ...(this.opts.runners ? { runners: this.opts.runners } : {}),
      keepReleases: 10,
      batch: { size: 1, maxFailPercent: 0 },
      steps: { restart: HOLDABLE_RESTART },
      healthChecks: [{ kind: 'command', name: 'no fail marker', run: 'test ! -e "fail-$PITCREW_TARGET"', retries: 0, interval: '10ms', timeout: '20s' }],
      smokeTests: this.opts.smokeTests ?? [],
      lock: { ttl: this.opts.ttl ?? '30s', wait: this.opts.wait ?? '60s' },
    };
  }

  /**
   * A real artifact `shop-VERSION.tar.gz` and its `.sha256`. `failOn` names
   * targets whose health check fails with this release.
   */
  async artifact(version: string, opts: { failOn?: string[] } = {}): Promise<Artifact> {
    const files: Record<string, string> = { VERSION: `${version}\n`, 'app.sh': 'echo shop\n' };
    for (const t of opts.failOn ?? []) files[`fail-${t}`] = 'this release fails its health check here\n';
    const name = `shop-${version}.tar.gz`;
    const file = await makeArtifact(join(this.dir, 'artifacts'), name, files);
    const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
    await writeFile(`${file}.sha256`, `${sha256}  ${name}\n`);
    return { file, version, sha256, releaseId: `${version}-${sha256.slice(0, 12)}` };
  }

  /** The release each target's `current` points at (undefined: none). */
  async currents(): Promise<(string | undefined)[]> {
    return Promise.all(this.folders.map(async (f) => (await readlink(join(f, 'current')).catch(() => undefined))?.replace(/^releases\//, '')));
  }

  /** The release folders on target `i`. */
  async releasesOn(i: number): Promise<string[]> {
    return (await readdir(join(this.folders[i], 'releases')).catch(() => [] as string[])).sort();
  }

  /** Each target's `.pitcrew/fence` (the highest fencing token that switched it), or null. */
  async fences(): Promise<(number | null)[]> {
    return Promise.all(this.folders.map(async (f) => {
      const text = await readFile(join(f, '.pitcrew', 'fence'), 'utf8').catch(() => undefined);
      return text === undefined ? null : Number(text.trim());
    }));
  }

  /** Makes the restart step wait on target `i` (0-based) until `release(i)`. */
  async hold(i: number): Promise<void> {
    await writeFile(join(this.folders[i], 'hold'), 'the restart waits while this file exists\n');
  }

  /** Lets held restarts finish (every target when `i` is omitted). */
  async release(i?: number): Promise<void> {
    for (const f of i === undefined ? this.folders : [this.folders[i]]) await rm(join(f, 'hold'), { force: true });
  }
}

/** A pitcrew.yml for a stage alone (no server, no runners): the deployer talks to the SQLite store directly. */
export class StageConfig {
  private constructor(readonly stage: Stage, readonly configPath: string, readonly dbPath: string) {}

  static async write(stage: Stage): Promise<StageConfig> {
    const dbPath = join(stage.dir, 'pitcrew.db');
    const configPath = join(stage.dir, 'pitcrew.yml');
    const config = { project: 'shop', server: { database: dbPath }, environments: { [stage.environment]: stage.environmentConfig() } };
    await writeFile(configPath, stringify(config));
    return new StageConfig(stage, configPath, dbPath);
  }

  /** `pitcrew --config pitcrew.yml ARGS` to completion. */
  cli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
    return runPitcrew(['--config', this.configPath, ...args], { env: { USER: 'scenario', ...env }, cwd: this.stage.dir, timeoutMs });
  }

  /** `pitcrew deploy ENV --artifact FILE` as a child process that the scenario can signal. */
  startDeploy(scope: Scope, name: string, artifact: Artifact, extraArgs: string[] = [], env: Record<string, string | undefined> = {}): Promise<Proc> {
    return startDeployProcess(scope, name, this.configPath, this.stage, artifact, extraArgs, { USER: 'scenario', ...env });
  }
}

/** Starts `pitcrew --config CONFIG deploy ENV --artifact FILE EXTRA` with a clean environment plus `env`. */
export function startDeployProcess(
  scope: Scope, name: string, configPath: string, stage: Stage, artifact: Artifact, extraArgs: string[], env: Record<string, string | undefined>,
): Promise<Proc> {
  const args = [PITCREW_BIN, '--config', configPath, 'deploy', stage.environment, '--artifact', artifact.file, ...extraArgs];
  return startProcess(scope, name, process.execPath, args, { env: cleanEnv(env), cwd: stage.dir });
}

/** Opens the store read-side for one look and closes it again. */
export async function inspectStore<T>(dbPath: string, look: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(dbPath);
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

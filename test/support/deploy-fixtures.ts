/**
 * A deploy workspace for tests: three folder targets (web-1..3) of a local
 * environment, a SQLite store file, a pitcrew.yml describing them, and real
 * .tar.gz artifacts. The restart step records each restart in the target
 * (and sleeps when the target holds a `slow` file); the health check fails
 * on a target whose release contains `fail-<target>`.
 */
import { readFile, readdir, readlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeCoordinator, type DeployCoordinator } from '../../src/coord/index.js';
import { parseConfigText, type Environment } from '../../src/config/index.js';
import { runDeploy, type DeployRequest } from '../../src/deploy/engine.js';
import type { EnginePorts } from '../../src/deploy/engine-context.js';
import type { DeployReport } from '../../src/deploy/report.js';
import { openStore, type Store } from '../../src/store/index.js';
import { makeArtifact, sha256, tempDir } from '../deploy/fixtures.js';

export const TARGETS = ['web-1', 'web-2', 'web-3'];
/** The repository root (the compiled test runs from dist/test/support). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkspaceOptions {
  batchSize?: number;
  maxFailPercent?: number;
  keepReleases?: number;
  ttl?: string;
  wait?: string;
  smokeTests?: unknown[];
}

export interface DeployWorkspace {
  dir: string;
  configPath: string;
  dbPath: string;
  folders: string[];
  environment: Environment;
  /** A real artifact for `version` with its `.sha256`; `failOn` names targets whose health check will fail. */
  artifact(version: string, opts?: { failOn?: string[]; name?: string; extra?: Record<string, string> }): Promise<string>;
  /** Opens a coordinator on the workspace's store (a new connection each time). */
  coordinator(): Promise<{ coord: DeployCoordinator; store: Store; close: () => Promise<void> }>;
  /** Runs the engine in-process; `lines` collects its narration. */
  deploy(req: Partial<DeployRequest>, ports?: Partial<EnginePorts>): Promise<{ report: DeployReport; lines: string[] }>;
  /** The release `current` points at on each target (undefined: none). */
  currents(): Promise<(string | undefined)[]>;
  releasesOn(target: number): Promise<string[]>;
  restartsOn(target: number): Promise<string[]>;
  /** Makes the restart step sleep `seconds` on every target. */
  slowRestart(seconds: number): Promise<void>;
  cleanup(): Promise<void>;
}

export function workspaceConfig(dir: string, folders: string[], o: WorkspaceOptions): Record<string, unknown> {
  return {
    project: 'shop',
    server: { database: join(dir, 'pitcrew.db') },
    environments: {
      prod: {
        transport: 'local',
        targets: folders.map((folder, i) => ({ name: TARGETS[i], folder })),
        keepReleases: o.keepReleases ?? 5,
        batch: { size: o.batchSize ?? 1, maxFailPercent: o.maxFailPercent ?? 0 },
        steps: {
          restart: 'echo "$PITCREW_RELEASE" >> "$PITCREW_PATH/restarts"; if [ -f "$PITCREW_PATH/slow" ]; then sleep "$(cat "$PITCREW_PATH/slow")"; fi',
        },
        healthChecks: [{ kind: 'command', name: 'no fail marker', run: 'test ! -e "fail-$PITCREW_TARGET"', retries: 0, interval: '10ms', timeout: '20s' }],
        smokeTests: o.smokeTests ?? [],
        lock: { ttl: o.ttl ?? '3s', wait: o.wait ?? '60s' },
      },
    },
  };
}

export async function deployWorkspace(o: WorkspaceOptions = {}): Promise<DeployWorkspace> {
  const tmp = await tempDir('pitcrew-engine-');
  const dir = tmp.path;
  const folders = TARGETS.map((t) => join(dir, 'targets', t));
  for (const f of folders) await mkdir(f, { recursive: true });
  const text = JSON.stringify(workspaceConfig(dir, folders, o), null, 2);
  const configPath = join(dir, 'pitcrew.yml');
  await writeFile(configPath, text);
  const environment = parseConfigText(text, configPath, {}).config.environments.prod;
  const stores: Store[] = [];
  const ws: DeployWorkspace = {
    dir, configPath, dbPath: join(dir, 'pitcrew.db'), folders, environment,
    async artifact(version, a = {}) {
      const files: Record<string, string> = { VERSION: `${version}\n`, 'app.sh': 'echo shop\n' };
      for (const t of a.failOn ?? []) files[`fail-${t}`] = 'this release fails its health check here\n';
      Object.assign(files, a.extra);
      const name = a.name ?? `shop-${version}${a.failOn?.length ? `-fail-${a.failOn.join('-')}` : ''}.tar.gz`;
      const file = await makeArtifact(dir, name, files);
      await writeFile(`${file}.sha256`, `${sha256(await readFile(file))}  ${name}\n`);
      return file;
    },
    async coordinator() {
      const store = await openStore(join(dir, 'pitcrew.db'));
      stores.push(store);
      return { coord: storeCoordinator(store), store, close: () => store.close() };
    },
    async deploy(req, ports = {}) {
      const { coord, close } = await ws.coordinator();
      const lines: string[] = [];
      try {
        const report = await runDeploy(
          { environmentName: 'prod', environment, kind: 'deploy', ...req },
          { coord, say: (l) => void lines.push(l), lockPollMs: 20, ...ports },
        );
        return { report, lines };
      } finally {
        await close();
      }
    },
    async currents() {
      return Promise.all(folders.map(async (f) => (await readlink(join(f, 'current')).catch(() => undefined))?.replace(/^releases\//, '')));
    },
    async releasesOn(i) {
      return (await readdir(join(folders[i], 'releases')).catch(() => [] as string[])).sort();
    },
    async restartsOn(i) {
      return (await readFile(join(folders[i], 'restarts'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    },
    async slowRestart(seconds) {
      for (const f of folders) await writeFile(join(f, 'slow'), String(seconds));
    },
    async cleanup() {
      await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
      await tmp.cleanup();
    },
  };
  return ws;
}

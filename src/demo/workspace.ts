/**
 * Lays out the demo's workspace: the scripts, one folder per runner and per
 * target, the releases v1 to v4 as real .tar.gz artifacts with their
 * `.sha256` files, and a real pitcrew.yml naming all of it. A second run
 * wipes and recreates it. Must never delete a folder it did not create: a
 * non-empty folder without the demo's marker file is refused.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { create } from 'tar';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { APP_SCRIPT, RUNNER_SCRIPT, releaseFiles } from './scripts.js';

/** Written into the workspace; its presence is what allows a later run to wipe the folder. */
export const MARKER = '.pitcrew-demo';
export const ENVIRONMENT = 'production';
export const TARGETS = ['web-1', 'web-2', 'web-3'] as const;
/** The target whose /health answers 500 under v3. */
export const FAILING_TARGET = 'web-2';
export const RUNNERS = [
  { name: 'primary', priority: 1 },
  { name: 'secondary', priority: 2 },
] as const;
export const VERSIONS = ['v1', 'v2', 'v3', 'v4'] as const;
export type Version = (typeof VERSIONS)[number];

export interface DemoTarget {
  name: string;
  folder: string;
  port: number;
}

export interface DemoRunner {
  name: string;
  priority: number;
  pidFile: string;
  workDir: string;
}

export interface DemoArtifact {
  file: string;
  sha256: string;
}

export interface DemoWorkspace {
  dir: string;
  configPath: string;
  serverUrl: string;
  scripts: { runner: string; app: string };
  targets: DemoTarget[];
  runners: DemoRunner[];
  artifacts: Record<Version, DemoArtifact>;
}

export interface WorkspacePorts {
  server: number;
  /** One per target, in TARGETS order. */
  apps: number[];
}

/** Empties `dir` when it is missing, empty, or an earlier demo's workspace; refuses anything else. */
export async function wipeWorkspace(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new UsageError(`${dir} is not empty and is not a pitcrew demo workspace (no ${MARKER} file in it); the demo will not wipe it`, {
      code: 'demo.dir-not-demo',
      hint: 'pass --dir with a new or empty folder, or remove that folder yourself',
    });
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'This folder is the workspace of `pitcrew demo`; each run wipes and recreates it.\n');
}

async function packRelease(dir: string, version: Version): Promise<DemoArtifact> {
  const src = join(dir, 'build', `app-${version}`);
  await mkdir(src, { recursive: true });
  const files = releaseFiles(version, version === 'v3' ? [FAILING_TARGET] : []);
  for (const [name, text] of Object.entries(files)) await writeFile(join(src, name), text);
  const file = join(dir, 'artifacts', `app-${version}.tar.gz`);
  await create({ gzip: true, file, cwd: src, portable: true }, Object.keys(files).sort());
  const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
  await writeFile(`${file}.sha256`, `${sha256}  ${basename(file)}\n`);
  return { file, sha256 };
}

function configText(ws: Omit<DemoWorkspace, 'configPath' | 'artifacts'>, serverPort: number): string {
  const config = {
    project: 'demo',
    server: { url: ws.serverUrl, listen: `127.0.0.1:${serverPort}`, database: './pitcrew.db' },
    runners: ws.runners.map((r) => ({
      name: r.name,
      labels: ['self-hosted', 'linux', 'demo'],
      environments: [ENVIRONMENT],
      priority: r.priority,
      // Judged on being alive only: this machine's own disk, memory and load must not decide the story.
      thresholds: { diskFreeMinRatio: 0, diskFreeMinBytes: 0, memoryAvailableMinRatio: 0, loadPerCoreMax: 1000, heartbeatTimeout: '10s' },
    })),
    environments: {
      [ENVIRONMENT]: {
        transport: 'local',
        runners: ws.runners.map((r) => r.name),
        targets: ws.targets.map((t) => ({ name: t.name, folder: t.folder })),
        keepReleases: 5,
        batch: { size: ws.targets.length, maxFailPercent: 0 },
        healthChecks: [{ kind: 'command', run: 'node health.mjs', timeout: '5s', retries: 1, interval: '200ms' }],
        lock: { ttl: '1m', wait: '1m' },
      },
    },
  };
  return `# Written by \`pitcrew demo\`; every key is described in docs/config.md.\n${stringify(config)}`;
}

/** Wipes `dir` (see wipeWorkspace) and writes the whole workspace into it. */
export async function createWorkspace(dir: string, ports: WorkspacePorts): Promise<DemoWorkspace> {
  if ((await stat(dir).catch(() => undefined))?.isFile()) throw new UsageError(`${dir} is a file; the demo needs a folder`, { hint: 'pass --dir with a folder path' });
  await wipeWorkspace(dir);
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await mkdir(join(dir, 'artifacts'));
  const scripts = { runner: join(bin, 'runner.mjs'), app: join(bin, 'app.mjs') };
  await writeFile(scripts.runner, RUNNER_SCRIPT);
  await writeFile(scripts.app, APP_SCRIPT);
  const targets = TARGETS.map((name, i) => ({ name, folder: join(dir, 'targets', name), port: ports.apps[i] }));
  for (const t of targets) {
    await mkdir(t.folder, { recursive: true });
    await writeFile(join(t.folder, 'app.port'), `${t.port}\n`);
  }
  const runners = RUNNERS.map((r) => ({ ...r, pidFile: join(dir, 'runners', r.name, 'runner.pid'), workDir: join(dir, 'runners', r.name, '_work') }));
  for (const r of runners) await mkdir(r.workDir, { recursive: true });
  const base = { dir, serverUrl: `http://127.0.0.1:${ports.server}`, scripts, targets, runners };
  const configPath = join(dir, 'pitcrew.yml');
  await writeFile(configPath, configText(base, ports.server));
  const artifacts = {} as Record<Version, DemoArtifact>;
  for (const v of VERSIONS) artifacts[v] = await packRelease(dir, v);
  return { ...base, configPath, artifacts };
}

/** Shared helpers for the monitoring tests: sample options, temp exports, running real tools. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { exportMonitoring, type ExportOptions } from '../../src/observability/export.js';

export const SAMPLE: ExportOptions = {
  runners: [{ name: 'runner-a', agentUrl: 'http://10.0.0.5:9101' }, { name: 'runner-b', agentUrl: 'https://runner-b.lan' }, { name: 'runner-c' }],
  serverUrl: 'http://pitcrew.lan:8080',
  environments: ['production', 'staging'],
  runbookBaseUrl: 'https://github.com/acme/pitcrew/blob/main',
};

export async function tempDir(prefix = 'pitcrew-mon-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function exportSample(options: ExportOptions = SAMPLE): Promise<string> {
  const dir = await tempDir();
  await exportMonitoring(dir, options);
  return dir;
}

/** The binary's full path on PATH (or /usr/bin), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

/** Like which(), but in CI a missing tool fails the test instead of skipping it. */
export function requireTool(name: string): string | undefined {
  const p = which(name);
  if (!p && process.env.CI) throw new Error(`${name} is not installed; scripts/install-deps.sh installs it`);
  return p;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 240_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/** The metric names a PromQL expression selects (functions, keywords, labels and strings left out). */
export function metricNamesIn(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![0-9.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = s.slice((m.index ?? 0) + m[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names].sort();
}

/**
 * The pitcrew CLI as users run it: `node bin/pitcrew.js ARGS` (the bundle) in a
 * child process of its own, with a clean environment (PATH plus what the
 * scenario passes), bounded in time. It must never run the CLI in-process:
 * scenarios judge the shipped binary.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (dist/test/scenarios/support -> four levels up). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const PITCREW_BIN = join(PACKAGE_ROOT, 'bin', 'pitcrew.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only PATH (and HOME, for tools that read it) leaks in from the test's own environment. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Runs `pitcrew ARGS` to completion (killed after `timeoutMs`, default 30 s). */
export function runPitcrew(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PITCREW_BIN, ...args], {
      cwd: opts.cwd ?? PACKAGE_ROOT,
      env: cleanEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? null : code), stdout, stderr }));
  });
}

/**
 * Processes on this machine for the local transport: target scripts through
 * `sh -c`, and user commands in their own process group so a timeout kills
 * everything they started. Must never inherit the deployer's whole
 * environment into a user command (it holds the CI job's secrets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TargetScript } from './target-script.js';
import type { ScriptOutcome } from './scripted-session.js';
import { OUTPUT_TAIL_BYTES, type RunResult } from './transport.js';

/** Variables a user command gets from the deployer's environment; everything else must be passed explicitly. */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'TMPDIR'];

export type Spawn = typeof spawn;

export function runLocalScript(script: TargetScript, spawnFn: Spawn = spawn): Promise<ScriptOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawnFn('sh', ['-c', script.text, 'pitcrew-target', ...script.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code, stdout, stderr }));
  });
}

export interface CommandSpec {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL to the process group after a timeout. */
  killGraceMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Runs `sh -c command` as the leader of a new process group. */
export function runLocalCommand(spec: CommandSpec, spawnFn: Spawn = spawn): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnFn('sh', ['-c', spec.command], { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const tails = { stdout: '', stderr: '' };
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
        tails[name] = (tails[name] + chunk).slice(-OUTPUT_TAIL_BYTES);
        spec.onOutput?.(name, chunk);
      });
    }
    if (spec.timeoutMs !== undefined) {
      timers.push(setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGTERM');
        timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), spec.killGraceMs ?? 2000));
      }, spec.timeoutMs));
    }
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (timedOut) killGroup(child, 'SIGKILL');
      resolve({ exitCode, signal, timedOut, stdoutTail: tails.stdout, stderrTail: tails.stderr });
    };
    child.on('error', (err) => {
      settled = true;
      for (const t of timers) clearTimeout(t);
      reject(err);
    });
    // A daemon started in the background can keep the pipes open for ever:
    // after the shell exits, wait a moment for the last output, then return.
    child.on('exit', (code, signal) => {
      const drain = setTimeout(() => finish(code, signal), 500);
      child.on('close', () => {
        clearTimeout(drain);
        finish(code, signal);
      });
    });
  });
}

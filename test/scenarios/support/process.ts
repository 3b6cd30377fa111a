/**
 * Real child processes for scenarios: started with piped output that is kept
 * (the last 256 KiB of each stream) for assertions and timeout messages, and
 * registered with the scope so they are SIGKILLed at the end whatever happens.
 * It must never leave a process running after its scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Scope } from './scope.js';

const KEEP_BYTES = 256 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout so far (the last 256 KiB). */
  stdout(): string;
  /** Everything written to stderr so far (the last 256 KiB). */
  stderr(): string;
  /** True until the process has exited. */
  running(): boolean;
  /** Resolves when the process exits. */
  readonly exited: Promise<Exit>;
  /** Sends `signal` (default SIGKILL) and waits, at most 10 s, for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** The last lines of its output, for error messages. */
  tail(lines?: number): string;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Starts `cmd args` and ties its life to the scope. Fails at once when it cannot be spawned. */
export async function startProcess(scope: Scope, name: string, cmd: string, args: string[], opts: StartOptions = {}): Promise<Proc> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const keep = (s: string) => (s.length > KEEP_BYTES ? s.slice(-KEEP_BYTES) : s);
  child.stdout!.on('data', (d: Buffer) => (out = keep(out + d.toString())));
  child.stderr!.on('data', (d: Buffer) => (err = keep(err + d.toString())));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await Promise.race([once(child, 'spawn'), once(child, 'error').then(([e]) => Promise.reject(new Error(`cannot start ${name} (${cmd}): ${(e as Error).message}`)))]);
  let done = false;
  void exited.then(() => (done = true));

  const proc: Proc = {
    name,
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    running: () => !done && child.exitCode === null && child.signalCode === null,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.running()) child.kill(signal);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} (pid ${child.pid}) did not exit within 10 s of ${signal}`)), 10_000).unref());
      return Promise.race([exited, timeout]);
    },
    tail(lines = 15) {
      const pick = (s: string) => s.trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${name} (pid ${child.pid}${proc.running() ? '' : ', exited'}) stderr:\n${pick(err)}${out ? `\n--- ${name} stdout:\n${pick(out)}` : ''}`;
    },
  };
  scope.defer(`stop ${name}`, async () => {
    if (proc.running()) await proc.stop('SIGKILL');
  });
  return proc;
}

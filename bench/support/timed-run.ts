/**
 * Runs a command to completion and times it: wall time from spawn to exit,
 * and the moment each line of its stdout arrived (for a phase breakdown).
 * Kills it after `timeoutMs`. Never reads stdin.
 */
import { spawn } from 'node:child_process';

export interface TimedRun {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** Each stdout line with the ms since spawn at which it arrived. */
  lines: Array<{ at: number; line: string }>;
}

export function timedRun(cmd: string, args: string[], opts: { env: Record<string, string | undefined>; cwd?: string; timeoutMs?: number }): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 300_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: TimedRun['lines'] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const at = performance.now() - t0;
      stdout += d;
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) lines.push({ at, line });
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr, lines }));
  });
}

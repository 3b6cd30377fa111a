/**
 * The process-spawning port the probes use. It runs one command without a shell
 * and reports its exit code and output; it never throws for a non-zero exit,
 * only when the command could not be started or overran its timeout.
 */
import { execFile } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Exec = (file: string, args: readonly string[], options: { timeoutMs: number }) => Promise<ExecResult>;

export const execCommand: Exec = (file, args, { timeoutMs }) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        // Not started (ENOENT, EACCES) or killed by the timeout.
        reject(err.killed ? Object.assign(new Error(`${file} did not finish within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }) : err);
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });

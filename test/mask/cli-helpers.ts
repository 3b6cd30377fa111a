/**
 * An Io for CLI tests that records stdout and stderr into one ordered log, so
 * tests can check the order in which output reached the terminal.
 */
import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli/io.js';

export interface LoggedIo extends Io {
  stdinFeed: PassThrough;
  log: { stream: 'out' | 'err'; text: string }[];
  out(): string;
  err(): string;
}

export function loggedIo(): LoggedIo {
  const log: { stream: 'out' | 'err'; text: string }[] = [];
  const stdinFeed = new PassThrough();
  return {
    stdout: { write: (text) => void log.push({ stream: 'out', text }) },
    stderr: { write: (text) => void log.push({ stream: 'err', text }) },
    stdin: stdinFeed,
    stdinFeed,
    cwd: process.cwd(),
    log,
    out: () => log.filter((l) => l.stream === 'out').map((l) => l.text).join(''),
    err: () => log.filter((l) => l.stream === 'err').map((l) => l.text).join(''),
  };
}

/** Polls `cond` until it holds or the deadline passes. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

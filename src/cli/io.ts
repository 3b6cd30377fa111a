/**
 * The process's output ports. Commands write only through these sinks, never
 * to process.stdout directly, so that every byte passes the secret masker that
 * main() installs in front of them (see src/mask).
 */
import { Readable } from 'node:stream';

export interface OutputSink {
  write(text: string): void;
}

export interface Io {
  stdout: OutputSink;
  stderr: OutputSink;
  stdin: Readable;
  /** Current working directory, for resolving relative paths. */
  cwd: string;
}

export type Env = Record<string, string | undefined>;

export function processIo(): Io {
  // A reader that goes away (`pitcrew ... | head`) is not an error of ours: stop writing quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return {
    stdout: { write: (t) => void process.stdout.write(t) },
    stderr: { write: (t) => void process.stderr.write(t) },
    stdin: process.stdin,
    cwd: process.cwd(),
  };
}

/** An Io that records everything, for tests. */
export function memoryIo(opts: { cwd?: string; stdin?: Readable } = {}): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (t) => void out.push(t) },
    stderr: { write: (t) => void err.push(t) },
    // A stdin with nothing in it unless a test gives one.
    stdin: opts.stdin ?? emptyReadable(),
    cwd: opts.cwd ?? process.cwd(),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

function emptyReadable(): Readable {
  return Readable.from([]);
}

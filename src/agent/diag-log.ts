/**
 * Follows the runner's diagnostic log (`_diag/Runner_*.log`) and reports job
 * starts and completions as they are written. It follows the newest such file,
 * moves on when the runner opens a newer one, and starts over when a file is
 * truncated or replaced. It only reads the runner's files, never writes them.
 *
 * Polling, not fs.watch: the runner appends from another process, and inotify
 * is unreliable on the network and overlay filesystems runners live on. A look
 * costs two stats: the folder is listed again only when its mtime moved (a new
 * or removed file), and the file is read only when it grew.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseJobEvent, type DiagJobEvent } from './diag-lines.js';
import { settled } from './probes/changed-file.js';

export { findUnfinishedJob, parseDiagLine, parseJobEvent, scanDiagMessages } from './diag-lines.js';
export type { DiagFinding, DiagFindingKind, DiagJobEvent, DiagLine, UnfinishedJob } from './diag-lines.js';

export interface DiagStat {
  size: number;
  ino: number;
  mtimeMs: number;
}

export interface DiagFs {
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<DiagStat>;
  /** Bytes [start, end) of the file. */
  read(path: string, start: number, end: number): Promise<Buffer>;
}

export const nodeDiagFs: DiagFs = {
  readdir: (dir) => readdir(dir),
  stat: async (path) => {
    const s = await stat(path);
    return { size: s.size, ino: s.ino, mtimeMs: s.mtimeMs };
  },
  read: async (path, start, end) => {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(end - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  },
};

const RUNNER_LOG = /^Runner_.*\.log$/;

/**
 * The newest `Runner_*.log` in the folder. The runner names them
 * `Runner_{yyyyMMdd-HHmmss}-utc.log` (HostTraceListener), so name order is age order.
 */
export async function newestRunnerLog(diagDir: string, fs: DiagFs = nodeDiagFs): Promise<string | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(diagDir);
  } catch {
    return undefined;
  }
  const logs = names.filter((n) => RUNNER_LOG.test(n)).sort();
  return logs.length ? join(diagDir, logs[logs.length - 1]) : undefined;
}

/** All lines of the newest runner log, for one-off diagnosis. */
export async function readNewestDiagLog(diagDir: string, fs: DiagFs = nodeDiagFs): Promise<{ file: string; lines: string[] } | undefined> {
  const file = await newestRunnerLog(diagDir, fs);
  if (!file) return undefined;
  const { size } = await fs.stat(file);
  const text = (await fs.read(file, 0, size)).toString('utf8');
  return { file, lines: text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0) };
}

export type DiagLogEvent = DiagJobEvent & { file: string };

export interface DiagLogFollowerOptions {
  diagDir: string;
  /** Read files that already exist from their start; default false (only new lines). */
  fromStart?: boolean;
  /** Poll interval for start(); default 500 ms. */
  intervalMs?: number;
  fs?: DiagFs;
  /** Clock for telling a settled folder listing; default Date.now. */
  now?: () => number;
  onEvent?: (event: DiagLogEvent) => void;
  /** Errors while polling; the follower keeps going. */
  onError?: (err: unknown) => void;
}

export class DiagLogFollower {
  private readonly fs: DiagFs;
  private file: string | undefined;
  private ino = -1;
  private offset = 0;
  private carry = '';
  private decoder = new StringDecoder('utf8');
  private first = true;
  private lastStartedName: string | undefined;
  /** The folder's stat at the last listing and the newest log it held, while the folder has not changed since. */
  private listing: { ino: number; mtimeMs: number; newest: string | undefined } | undefined;
  private inFlight: Promise<DiagLogEvent[]> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: DiagLogFollowerOptions) {
    this.fs = opts.fs ?? nodeDiagFs;
  }

  get currentFile(): string | undefined {
    return this.file;
  }

  /** One look at the folder: the events written since the last look. Never runs twice at once. */
  poll(): Promise<DiagLogEvent[]> {
    this.inFlight ??= this.step().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  start(): void {
    if (this.timer) return;
    const tick = () =>
      void this.poll().catch((err: unknown) => this.opts.onError?.(err));
    tick();
    this.timer = setInterval(tick, this.opts.intervalMs ?? 500);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async step(): Promise<DiagLogEvent[]> {
    const lines: Array<[string, string]> = [];
    const newest = await this.newestLog();
    const first = this.first;
    this.first = false;
    if (newest && newest !== this.file) {
      if (this.file) await this.drain(this.file, lines, true);
      this.file = newest;
      this.ino = -1;
      this.offset = 0;
      this.carry = '';
      this.decoder = new StringDecoder('utf8');
      if (first && !this.opts.fromStart) {
        const s = await this.fs.stat(newest);
        this.ino = s.ino;
        this.offset = s.size;
      }
    }
    if (this.file) await this.drain(this.file, lines, false);
    return this.emit(lines);
  }

  /** The newest runner log, listing the folder only when it changed since the last listing. */
  private async newestLog(): Promise<string | undefined> {
    let dir: DiagStat;
    try {
      dir = await this.fs.stat(this.opts.diagDir);
    } catch {
      this.listing = undefined;
      return undefined;
    }
    const l = this.listing;
    if (l && l.ino === dir.ino && l.mtimeMs === dir.mtimeMs) return l.newest;
    const newest = await newestRunnerLog(this.opts.diagDir, this.fs);
    const now = (this.opts.now ?? Date.now)();
    this.listing = settled(dir.mtimeMs, now) ? { ino: dir.ino, mtimeMs: dir.mtimeMs, newest } : undefined;
    return newest;
  }

  /** Reads what was appended to `file` since the offset into `out`. */
  private async drain(file: string, out: Array<[string, string]>, final: boolean): Promise<void> {
    let s: DiagStat;
    try {
      s = await this.fs.stat(file);
    } catch {
      return; // gone: a newer file takes over on the next look
    }
    if ((this.ino !== -1 && s.ino !== this.ino) || s.size < this.offset) {
      // Replaced or truncated: everything in it now is new.
      this.offset = 0;
      this.carry = '';
      this.decoder = new StringDecoder('utf8');
    }
    this.ino = s.ino;
    if (s.size > this.offset) {
      const buf = await this.fs.read(file, this.offset, s.size);
      this.offset += buf.length;
      this.carry += this.decoder.write(buf);
    }
    const parts = this.carry.split('\n');
    this.carry = final ? '' : (parts.pop() ?? '');
    for (const part of parts) if (part.trim()) out.push([file, part.replace(/\r$/, '')]);
  }

  private emit(lines: Array<[string, string]>): DiagLogEvent[] {
    const events: DiagLogEvent[] = [];
    for (const [file, line] of lines) {
      const ev = parseJobEvent(line);
      if (!ev) continue;
      if (ev.kind === 'job-started') this.lastStartedName = ev.jobName;
      const full: DiagLogEvent =
        ev.kind === 'job-completed' && this.lastStartedName !== undefined ? { ...ev, jobName: this.lastStartedName, file } : { ...ev, file };
      if (ev.kind === 'job-completed') this.lastStartedName = undefined;
      events.push(full);
      this.opts.onEvent?.(full);
    }
    return events;
  }
}

/**
 * Reads a small file that a probe looks at every second but that rarely
 * changes (the runner's pid file): one stat a look, and a read only when the
 * file's identity, size or modification time differ from the last read. It
 * must never answer with text older than the file: a file modified within the
 * last second is read again, because a second write within the same timestamp
 * tick would leave its stat unchanged.
 */
import { readFile, stat } from 'node:fs/promises';

export interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface ChangedFilePorts {
  stat: (path: string) => Promise<FileStamp>;
  readFile: (path: string) => Promise<string>;
  now: () => number;
}

const defaultPorts: ChangedFilePorts = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path, 'utf8'),
  now: () => Date.now(),
};

/** How old a modification must be before what was read after it is reused. */
const SETTLED_MS = 1000;

/**
 * Whether a file or folder last modified at `mtimeMs` is sure to show its next
 * change in its mtime: only once the timestamp tick of the last change has passed.
 */
export function settled(mtimeMs: number, now: number): boolean {
  return now - mtimeMs > SETTLED_MS;
}

/** A reader that remembers the last file it read; errors (ENOENT ...) pass through. */
export function changedFileReader(ports: Partial<ChangedFilePorts> = {}): (path: string) => Promise<string> {
  const p = { ...defaultPorts, ...ports };
  let last: { path: string; stamp: FileStamp; text: string } | undefined;
  return async (path) => {
    const stamp = await p.stat(path);
    if (last && last.path === path && sameStamp(last.stamp, stamp)) return last.text;
    const reusable = settled(stamp.mtimeMs, p.now());
    const text = await p.readFile(path);
    last = reusable ? { path, stamp, text } : undefined;
    return text;
  };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

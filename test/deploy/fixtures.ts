/**
 * Test fixtures for the deploy primitives: temp folders, real .tar.gz files
 * made with node-tar, and hand-made tar streams for the archives node-tar
 * would never write (absolute paths, devices, links leading out).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';

export async function tempDir(prefix = 'pitcrew-deploy-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Builds a real app tree under `dir/src` and packs it with node-tar into `dir/name`. */
export async function makeArtifact(dir: string, name: string, files: Record<string, string>): Promise<string> {
  const src = join(dir, `${name}.src`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(src, path, '..'), { recursive: true });
    await writeFile(join(src, path), content);
  }
  const file = join(dir, name);
  await create({ gzip: true, file, cwd: src, portable: true }, await readdir(src));
  return file;
}

export interface RawEntry {
  name: string;
  /** tar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char device, '4' block device, '5' folder, '6' FIFO */
  type: string;
  body?: string | Buffer;
  linkname?: string;
}

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, 'latin1');
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block with a correct checksum. */
export function tarHeader(entry: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, entry.name);
  field(h, 100, 8, octal(entry.type === '5' ? 0o755 : 0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(1_700_000_000, 12));
  field(h, 148, 8, '        ');
  field(h, 156, 1, entry.type);
  if (entry.linkname !== undefined) field(h, 157, 100, entry.linkname);
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  field(h, 329, 8, octal(0, 8));
  field(h, 337, 8, octal(0, 8));
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** An uncompressed tar stream; `end: false` leaves out the end-of-archive marker. */
export function rawTar(entries: RawEntry[], options: { end?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    blocks.push(tarHeader(e, body.length));
    if (body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (options.end !== false) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Writes `data` to `dir/name` with a matching `name.sha256` beside it; returns the path. */
export async function writeWithDigest(dir: string, name: string, data: Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, data);
  await writeFile(`${file}.sha256`, `${sha256(data)}  ${name}\n`);
  return file;
}

export async function writeRawArtifact(dir: string, name: string, entries: RawEntry[], options: { end?: boolean } = {}): Promise<string> {
  return writeWithDigest(dir, name, gzipSync(rawTar(entries, options)));
}

/** Every path under `dir` (relative, sorted), with links and folders: to prove nothing was created. */
export async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const name of await readdir(join(dir, rel))) {
      const p = rel === '' ? name : `${rel}/${name}`;
      out.push(p);
      const s = await lstat(join(dir, p));
      if (s.isDirectory()) await walk(p);
    }
  }
  await walk('');
  return out.sort();
}

/** Polls `condition` until it holds or the deadline passes; never a fixed sleep. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not true before the deadline: ${what}`);
}

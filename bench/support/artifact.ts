/**
 * Release artifacts for the deploy benchmarks: a .tar.gz of VERSION plus
 * `size` bytes of random data (so gzip cannot shrink it: the artifact is
 * about `size` bytes on the wire), with its `.sha256` beside it. Built with
 * the system's tar, as a release pipeline would.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Writes `<dir>/shop-<version>.tar.gz` (+ `.sha256`); `extra` adds small files (e.g. a failure marker). */
export async function benchArtifact(dir: string, version: string, size: number, extra: Record<string, string> = {}): Promise<string> {
  const src = join(dir, `src-${version}`);
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'VERSION'), `${version}\n`);
  await writeFile(join(src, 'payload.bin'), randomBytes(size));
  for (const [name, text] of Object.entries(extra)) await writeFile(join(src, name), text);
  const name = `shop-${version}.tar.gz`;
  const file = join(dir, name);
  await run('tar', ['-czf', file, '-C', src, '.']);
  await writeFile(`${file}.sha256`, `${createHash('sha256').update(await readFile(file)).digest('hex')}  ${name}\n`);
  return file;
}

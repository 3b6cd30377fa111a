/**
 * Release artifacts for the deploy benchmarks: a .tar.gz of VERSION plus a
 * payload of `size` bytes, with its `.sha256` beside it. Built with the
 * system's tar, as a release pipeline would. The payload is random bytes by
 * default, which gzip cannot shrink (the artifact is about `size` bytes on
 * the wire, and the ssh transport sends it as plain tar), or, with `text`,
 * generated source code that gzip shrinks about fivefold, as it would an
 * application's code (sent compressed).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Payload = 'random' | 'text';

/** `size` bytes of lines like a generated JavaScript module: names and literals vary, the rest repeats. */
function sourceText(size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = `export const value${i} = { id: "${randomBytes(6).toString('hex')}", index: ${i}, label: "entry ${i % 97}" }; // generated\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

/** Writes `<dir>/shop-<version>.tar.gz` (+ `.sha256`); `extra` adds small files (e.g. a failure marker). */
export async function benchArtifact(dir: string, version: string, size: number, extra: Record<string, string> = {}, payload: Payload = 'random'): Promise<string> {
  const src = join(dir, `src-${version}`);
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'VERSION'), `${version}\n`);
  await writeFile(join(src, payload === 'random' ? 'payload.bin' : 'payload.js'), payload === 'random' ? randomBytes(size) : sourceText(size));
  for (const [name, text] of Object.entries(extra)) await writeFile(join(src, name), text);
  const name = `shop-${version}.tar.gz`;
  const file = join(dir, name);
  await run('tar', ['-czf', file, '-C', src, '.']);
  await writeFile(`${file}.sha256`, `${createHash('sha256').update(await readFile(file)).digest('hex')}  ${name}\n`);
  return file;
}

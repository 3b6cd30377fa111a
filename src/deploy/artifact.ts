/**
 * Verifies a release artifact (a .tar.gz) before any target is touched: it is
 * a regular file, its sha256 matches the expected digest, and it unpacks
 * cleanly into nothing but files, folders and links inside the release. Every
 * refusal is an ArtifactError naming the file and the exact problem. This
 * module only reads the artifact; it must never write anywhere.
 */
import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { ArtifactError } from './errors.js';
import { expectedDigest, sha256OfFile } from './artifact-digest.js';
import { EntryRules } from './artifact-entries.js';
import { TarBlocks } from './tar-blocks.js';

export { ArtifactError } from './errors.js';
export { releaseIdFor, validateVersion, versionProblem } from './release-id.js';

export interface VerifyOptions {
  /** Expected digest (lowercase or uppercase hex); `FILE.sha256` beside the file is used too. */
  sha256?: string;
  /** Accept an artifact with no known digest (no option, no `.sha256` file). */
  allowUnverified?: boolean;
}

export interface VerifiedArtifact {
  path: string;
  sha256: string;
  size: number;
  /** Number of entries in the archive. */
  entries: number;
  /** Where the expected digest came from: `option`, a `.sha256` path, or `none` (allowUnverified). */
  digestSource: string;
}

class Stop extends Error {}

async function assertGzip(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      const seen = head.subarray(0, bytesRead).toString('hex') || 'nothing';
      throw new ArtifactError(file, `not a gzip file (it starts with ${seen}, not 1f8b); build the artifact with \`tar -czf\``);
    }
  } finally {
    await handle.close();
  }
}

/** Lists the archive through node-tar's strict parser; returns the entry count or throws. */
async function listArchive(file: string, size: number): Promise<number> {
  const rules = new EntryRules();
  const blocks = new TarBlocks();
  let failure: string | undefined;
  let lastEntry: string | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      lastEntry = entry.path;
      failure ??= rules.add({ path: entry.path, type: entry.type, linkpath: entry.linkpath });
      entry.resume();
    },
  });
  const parsed = new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.on('error', (err: Error) => {
      const where = lastEntry === undefined ? '' : ` (after entry ${JSON.stringify(lastEntry)})`;
      failure ??= `tar data invalid${where}: ${err.message.replace(/^TAR_[A-Z_]+: /, '')}`;
      resolve();
    });
  });
  const source = createReadStream(file);
  try {
    await pipeline(source, createGunzip(), async (input: AsyncIterable<Buffer>) => {
      for await (const chunk of input) {
        blocks.push(chunk);
        parser.write(chunk);
        if (failure !== undefined) throw new Stop();
      }
    });
  } catch (err) {
    // Stopping early surfaces as an abort from pipeline; the reason is in `failure`.
    if (failure !== undefined || err instanceof Stop) throw new ArtifactError(file, failure ?? 'unreadable');
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') throw new ArtifactError(file, `gzip data truncated at byte ${size} (the file ends before the compressed stream does)`);
    if (code === 'Z_DATA_ERROR') {
      throw new ArtifactError(file, `gzip data corrupt within the first ${source.bytesRead} bytes: ${(err as Error).message}`);
    }
    throw new ArtifactError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  const truncated = blocks.finish();
  if (truncated !== undefined) {
    const where = lastEntry === undefined ? '' : ` (last entry ${JSON.stringify(lastEntry)})`;
    throw new ArtifactError(file, `${truncated}${where}`);
  }
  parser.end();
  await parsed;
  failure ??= rules.finish();
  if (failure !== undefined) throw new ArtifactError(file, failure);
  if (rules.count === 0) throw new ArtifactError(file, 'the archive has no entries');
  return rules.count;
}

/**
 * Verifies `file` and returns what the deploy needs to know about it.
 * @example const a = await verifyArtifact('app.tar.gz', { sha256 }); releaseIdFor('1.2.0', a.sha256)
 */
export async function verifyArtifact(file: string, options: VerifyOptions = {}): Promise<VerifiedArtifact> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new ArtifactError(file, 'not a regular file');
    size = s.size;
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ArtifactError(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`);
  }
  const expected = await expectedDigest(file, options.sha256);
  if (expected === undefined && options.allowUnverified !== true) {
    throw new ArtifactError(file, `no digest to check it against: neither --sha256 nor ${file}.sha256 was given`, {
      hint: `write one with \`sha256sum ${file} > ${file}.sha256\` where the artifact is built, or pass --sha256`,
    });
  }
  const actual = await sha256OfFile(file);
  if (expected !== undefined && actual !== expected.sha256) {
    throw new ArtifactError(file, `digest mismatch: expected ${expected.sha256}, found ${actual}`, {
      hint: 'the file changed or was cut off after its digest was taken; upload it again',
    });
  }
  await assertGzip(file);
  const entries = await listArchive(file, size);
  return { path: file, sha256: actual, size, entries, digestSource: expected?.source ?? 'none' };
}

/**
 * What the ssh transport sends when it stages a release: the artifact's bytes,
 * read and hashed once per deploy and sent to every target, or, past a size
 * limit, streamed from the file for each target and hashed as they go, so the
 * deployer's memory stays bounded. Bytes held in memory go as the tar inside
 * them when gzip shrank it by less than 5 % (random or already compressed
 * payloads): unpacked once here, that spares every host a `gzip` process and
 * a CRC pass. The target does not hash what it receives: the stage script
 * checks that the digest line sent after it arrived (target-script.ts). So
 * this module must never put that line after bytes other than those whose
 * sha256 it computed itself and found equal to the digest the deploy
 * verified, or the tar it unpacked from exactly those bytes.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { UploadEncoding } from './target-script.js';

const gunzipped = promisify(gunzip);

/** Artifacts up to this size are held in memory for the length of a deploy; larger ones are streamed per target. */
export const UPLOAD_BUFFER_LIMIT = 64 * 1024 * 1024;

/**
 * An upload goes to ssh2 in slices of this size, one per turn of the event
 * loop. Handed 1 MiB at once, ssh2 sends it all in one go (the host's window
 * is 2 MiB), and the host's sshd reads and holds it all before the unpacking
 * drains it: on 20 loopback hosts that cost the hosts' sshd about 250 ms more
 * CPU per deploy than slices of 128 KiB (256 KiB did as well, 512 KiB not).
 */
export const UPLOAD_SLICE = 128 * 1024;

/**
 * A tar at most this much larger than its .tar.gz is sent as plain tar: gzip
 * saved too little to be worth a `gzip` process and a CRC pass on every host.
 * Sent compressed, a 1 MiB random payload cost each host about 9 ms more CPU
 * to unpack than as tar; an artifact gzip does shrink keeps going compressed,
 * since the bandwidth to real hosts matters more there.
 */
export const PLAIN_TAR_SLACK = 0.05;

/**
 * Bytes to send after a stage request: held in memory (checked; the
 * .tar.gz, or the tar unpacked from it), or a .tar.gz file to stream and
 * check on the way. `sha256` is the verified artifact's, whichever is sent.
 */
export type Upload =
  | { kind: 'bytes'; data: Buffer; sha256: string; encoding: UploadEncoding }
  | { kind: 'file'; file: string; bytes: number; sha256: string };

/** Why an artifact cannot be sent: a message naming the file, and the target error code it becomes. */
export interface UploadProblem {
  problem: string;
  code: string;
}

export function uploadBytes(upload: Upload): number {
  return upload.kind === 'bytes' ? upload.data.length : upload.bytes;
}

export function uploadEncoding(upload: Upload): UploadEncoding {
  return upload.kind === 'bytes' ? upload.encoding : 'gzip';
}

/**
 * What to send of a verified .tar.gz held in memory: the tar inside it when
 * that is at most PLAIN_TAR_SLACK larger, else the .tar.gz as it is. zlib
 * checks gzip's CRC and length as it unpacks, and stops once the output
 * passes the limit, so an artifact that compresses well costs little to
 * try. One zlib refuses (it was verified, so only if this zlib disagrees
 * with the one that verified it) goes compressed too: the target's gzip
 * then decides, and a refusal fails the stage cleanly.
 */
export async function heldUpload(gz: Buffer, sha256: string): Promise<Upload> {
  try {
    const tar = await gunzipped(gz, { maxOutputLength: Math.max(1, Math.floor(gz.length * (1 + PLAIN_TAR_SLACK))) });
    return { kind: 'bytes', data: tar, sha256, encoding: 'tar' };
  } catch {
    return { kind: 'bytes', data: gz, sha256, encoding: 'gzip' };
  }
}

/** The message for bytes read from `file` that are not the verified artifact. */
export function changedProblem(file: string, got: string, want: string, detail = ''): UploadProblem {
  return { problem: `artifact ${file} has digest ${got}${detail}, expected ${want}: it changed since it was verified`, code: 'target.digest' };
}

async function load(file: string, sha256: string, limit: number): Promise<Upload | UploadProblem> {
  try {
    const size = (await stat(file)).size;
    if (size > limit) return { kind: 'file', file, bytes: size, sha256 };
    const data = await readFile(file);
    const got = createHash('sha256').update(data).digest('hex');
    return got === sha256 ? await heldUpload(data, sha256) : changedProblem(file, got, sha256);
  } catch (err) {
    return { problem: `cannot read the artifact ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, code: 'target.io' };
  }
}

/** The uploads of one transport, by file and digest; `clear` lets the bytes go when the deploy is over. */
export class ArtifactUploads {
  private readonly held = new Map<string, Promise<Upload | UploadProblem>>();

  constructor(private readonly limit = UPLOAD_BUFFER_LIMIT) {}

  /** What to send for `file`, whose verified digest is `sha256` (lowercase); read at most once. */
  get(file: string, sha256: string): Promise<Upload | UploadProblem> {
    const key = `${sha256} ${file}`;
    let upload = this.held.get(key);
    if (upload === undefined) {
      upload = load(file, sha256, this.limit);
      this.held.set(key, upload);
    }
    return upload;
  }

  clear(): void {
    this.held.clear();
  }
}

/**
 * What the ssh transport sends when it stages a release: the artifact's bytes,
 * read and hashed once per deploy and sent as they are to every target, or,
 * past a size limit, streamed from the file for each target and hashed as
 * they go, so the deployer's memory stays bounded. The target does not hash
 * them again: the stage script checks that the digest line sent after them
 * arrived (target-script.ts). So this module must never put that line after
 * bytes whose sha256 it has not computed itself and found equal to the digest
 * the deploy verified.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

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

/** Bytes to send after a stage request: held in memory (checked), or a file to stream and check on the way. */
export type Upload =
  | { kind: 'bytes'; data: Buffer; sha256: string }
  | { kind: 'file'; file: string; bytes: number; sha256: string };

/** Why an artifact cannot be sent: a message naming the file, and the target error code it becomes. */
export interface UploadProblem {
  problem: string;
  code: string;
}

export function uploadBytes(upload: Upload): number {
  return upload.kind === 'bytes' ? upload.data.length : upload.bytes;
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
    return got === sha256 ? { kind: 'bytes', data, sha256 } : changedProblem(file, got, sha256);
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

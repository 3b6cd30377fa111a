/**
 * Follows the 512-byte block structure of an uncompressed tar stream to find
 * where it ends: a complete archive ends with two zero blocks after its last
 * entry. node-tar's parser accepts an archive cut exactly between entries
 * (what `tar | gzip` leaves when tar dies), so this walker is what catches it,
 * with the byte offset. It reads headers only for their size field; entry
 * rules live in artifact-entries.ts.
 */

const BLOCK = 512;

function isZero(block: Buffer): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

/** Size field of a tar header: octal text, or base-256 when the high bit is set. */
export function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] & 0x80) !== 0) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

export class TarBlocks {
  /** Bytes of the uncompressed stream seen so far. */
  offset = 0;
  private header: Buffer[] = [];
  private headerBytes = 0;
  private skip = 0;
  private zeroBlocks = 0;
  private ended = false;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        this.offset += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerBytes, chunk.length - at);
      this.header.push(chunk.subarray(at, at + n));
      this.headerBytes += n;
      at += n;
      this.offset += n;
      if (this.headerBytes < BLOCK) continue;
      const block = Buffer.concat(this.header);
      this.header = [];
      this.headerBytes = 0;
      if (isZero(block)) {
        this.zeroBlocks += 1;
        if (this.zeroBlocks >= 2) this.ended = true;
        continue;
      }
      this.zeroBlocks = 0;
      const size = headerSize(block);
      this.skip = Math.ceil(size / BLOCK) * BLOCK;
    }
    if (this.ended) this.offset += chunk.length - at;
  }

  /** Why the stream is incomplete, or undefined when it ended with its end-of-archive marker. */
  finish(): string | undefined {
    if (this.ended) return undefined;
    if (this.skip > 0) return `tar data truncated at byte ${this.offset} of the unpacked stream (${this.skip} more bytes of the entry were expected)`;
    if (this.headerBytes > 0) return `tar data truncated at byte ${this.offset} of the unpacked stream, inside a header`;
    return `tar data truncated at byte ${this.offset} of the unpacked stream: it ends without the end-of-archive marker`;
  }
}

/**
 * Where an artifact's expected sha256 comes from (`--sha256`, or `FILE.sha256`
 * as sha256sum writes it) and the digest of the bytes actually there. This
 * module only reads; it must never accept an expected digest it cannot parse.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ArtifactError } from './errors.js';
import { isSha256 } from './release-id.js';

export interface ExpectedDigest {
  sha256: string;
  /** `option` (the caller's --sha256) or the path of the `.sha256` file. */
  source: string;
}

/** sha256 (lowercase hex) of a file's bytes, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Parses a sha256sum file for `artifact`. Accepts `HEX`, `HEX  name` and
 * `HEX *name`; with several lines, the one naming the artifact's basename.
 */
export function parseDigestFile(text: string, digestFile: string, artifact: string): string {
  const want = basename(artifact);
  const lines = text.split('\n').map((l, i) => ({ no: i + 1, text: l.trim() })).filter((l) => l.text !== '');
  const parsed = lines.map((l) => {
    const m = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(l.text);
    if (m === null) throw new ArtifactError(artifact, `${digestFile}:${l.no}: not a sha256 line (expected "HEX" or "HEX  filename")`);
    return { no: l.no, hex: m[1].toLowerCase(), name: m[2] === undefined ? undefined : basename(m[2]) };
  });
  if (parsed.length === 0) throw new ArtifactError(artifact, `${digestFile} is empty`);
  if (parsed.length === 1 && (parsed[0].name === undefined || parsed[0].name === want)) return parsed[0].hex;
  const matching = parsed.filter((p) => p.name === want);
  if (matching.length === 1) return matching[0].hex;
  if (matching.length === 0) {
    throw new ArtifactError(artifact, `${digestFile} has no line for ${want} (it names ${parsed.map((p) => p.name ?? '(no name)').join(', ')})`);
  }
  throw new ArtifactError(artifact, `${digestFile} has ${matching.length} lines for ${want}, at lines ${matching.map((m) => m.no).join(', ')}`);
}

/**
 * The digest the artifact must have: from `option`, from `FILE.sha256`, or
 * both (then they must agree). Undefined when neither exists.
 */
export async function expectedDigest(artifact: string, option: string | undefined): Promise<ExpectedDigest | undefined> {
  let fromOption: string | undefined;
  if (option !== undefined) {
    fromOption = option.trim().toLowerCase();
    if (!isSha256(fromOption)) throw new ArtifactError(artifact, `--sha256 ${JSON.stringify(option)} is not 64 hexadecimal digits`);
  }
  const digestFile = `${artifact}.sha256`;
  let text: string | undefined;
  try {
    text = await readFile(digestFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ArtifactError(artifact, `cannot read ${digestFile}: ${(err as Error).message}`);
  }
  const fromFile = text === undefined ? undefined : parseDigestFile(text, digestFile, artifact);
  if (fromOption !== undefined && fromFile !== undefined && fromOption !== fromFile) {
    throw new ArtifactError(artifact, `digest mismatch: --sha256 says ${fromOption} but ${digestFile} says ${fromFile}`);
  }
  if (fromOption !== undefined) return { sha256: fromOption, source: 'option' };
  if (fromFile !== undefined) return { sha256: fromFile, source: digestFile };
  return undefined;
}

/**
 * Writes a file so that a reader sees either the old content or the new one,
 * never a torn file: write a temporary file beside it, flush it, then rename.
 * The file's mode is set before the rename, so a secret file is never visible
 * with a looser mode. It must never follow a half-written temporary file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface FileOwner {
  uid: number;
  gid: number;
}

/** Writes `content` to `path` atomically with exactly `mode`; `owner` keeps a file's owner when root rewrites it. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644, owner?: FileOwner): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    // open() applies the umask; chmod makes the mode exact (0755 hooks, 0600 secrets).
    await handle.chmod(mode);
    if (owner !== undefined && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      await handle.chown(owner.uid, owner.gid);
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

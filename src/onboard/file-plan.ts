/**
 * A set of files to write, decided before anything is written, so a command
 * can refuse as a whole (nothing written) or apply every file and say what
 * happened to each. Applying a plan twice changes nothing the second time: a
 * file whose content and mode already match is left untouched (its mtime too).
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic, type FileOwner } from './atomic-write.js';

export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
  /** `replace`: write when different. `keep`: write only when absent (e.g. a file holding a token), but tighten its mode. */
  policy: 'replace' | 'keep';
  /** Keep this owner when the file is rewritten (a runner's .env stays the runner user's). */
  owner?: FileOwner;
}

export type FileStatus = 'created' | 'updated' | 'unchanged' | 'kept' | 'mode-fixed';

export interface FileChange {
  path: string;
  status: FileStatus;
}

export interface ExistingFile {
  content: string;
  mode: number;
  owner: FileOwner;
}

export async function readExisting(path: string): Promise<ExistingFile | undefined> {
  try {
    const [content, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, mode: st.mode & 0o7777, owner: { uid: st.uid, gid: st.gid } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function applyFile(file: PlannedFile): Promise<FileChange> {
  const existing = await readExisting(file.path);
  if (existing === undefined) {
    await writeFileAtomic(file.path, file.content, file.mode, file.owner);
    return { path: file.path, status: 'created' };
  }
  if (file.policy === 'keep') {
    // Never rewrite what the user put there; only take away access the file must not grant.
    if ((existing.mode & ~file.mode & 0o777) !== 0) {
      await chmod(file.path, existing.mode & file.mode);
      return { path: file.path, status: 'mode-fixed' };
    }
    return { path: file.path, status: 'kept' };
  }
  if (existing.content === file.content && existing.mode === file.mode) return { path: file.path, status: 'unchanged' };
  await writeFileAtomic(file.path, file.content, file.mode, file.owner ?? existing.owner);
  return { path: file.path, status: 'updated' };
}

/** Applies files in order; stops at the first error, which names the file. */
export async function applyPlan(files: PlannedFile[]): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  for (const f of files) changes.push(await applyFile(f));
  return changes;
}

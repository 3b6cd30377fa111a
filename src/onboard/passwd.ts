/**
 * Reads user names and ids from an `/etc/passwd` file (under --root), to tell
 * whether the agent's user exists and who owns the runner's folder. It only
 * reads; it must never create or change a user.
 */
import { readFile } from 'node:fs/promises';

export interface PasswdEntry {
  name: string;
  uid: number;
}

export async function readPasswd(path: string): Promise<PasswdEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) entries.push({ name, uid: Number(uid) });
  }
  return entries;
}

/**
 * Finds the folders on the way to the runner's work and diag folders that the
 * agent's user could not enter or read, and words the `setfacl` commands that
 * grant exactly that (read and traverse, never write). It only inspects
 * modes; it must never change a permission itself.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `setfacl` commands letting `user` reach `runnerDir` and read `runnerDir/_diag`, judged by "other" permissions. */
export async function accessCommands(root: string, runnerDir: string, user: string): Promise<string[]> {
  const commands: string[] = [];
  const parts = runnerDir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = '/' + parts.slice(0, i).join('/');
    const mode = await modeOf(join(root, dir));
    if (mode !== undefined && (mode & 0o001) === 0) commands.push(`setfacl -m u:${user}:x ${dir}`);
  }
  const diag = `${runnerDir}/_diag`;
  const diagMode = await modeOf(join(root, diag));
  if (diagMode !== undefined && (diagMode & 0o005) !== 0o005) {
    // The default ACL covers the log files the runner creates later.
    commands.push(`setfacl -R -m u:${user}:rX ${diag}`, `setfacl -d -m u:${user}:rX ${diag}`);
  }
  return commands;
}

/**
 * Processor time of a process tree, from /proc/PID/stat: the process's own
 * time plus that of the children it has reaped (`cutime`, `cstime`). A
 * parent that waits for its children and theirs for their own (sshd, its
 * sessions, their shells) thus accounts, once the children are gone, for
 * everything they ran. Reads only; never signals or waits for a process.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface CpuTimes {
  /** The process's own time, ms. */
  self: number;
  /** Time of the children it has reaped (and of theirs, as far as each waited), ms. */
  children: number;
}

export async function cpuTimes(pid: number | 'self'): Promise<CpuTimes> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14 ... cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const ms = (ticks: number): number => (ticks * 1000) / TICKS;
  return { self: ms(f[11] + f[12]), children: ms(f[13] + f[14]) };
}

/** Both parts together, ms. */
export function total(t: CpuTimes): number {
  return t.self + t.children;
}

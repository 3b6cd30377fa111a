/**
 * Available memory as a share of the total, from /proc/meminfo's MemAvailable
 * (the kernel's estimate of what can be had without swapping). Falls back to
 * os.freemem() where /proc/meminfo is absent or too old to have MemAvailable.
 *
 * /proc/meminfo is read synchronously: the kernel writes it from memory, never
 * from a disk, so the read cannot hang, and it takes one system call on the
 * event loop instead of the five thread-pool round trips of an async read.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { formatBytes, formatPercent } from './disk.js';
import { ProbeName, errorCode, systemClock, type Clock, type ProbeResult } from './types.js';

export interface MemoryPorts {
  meminfoPath: string;
  readFile: (path: string) => Promise<string>;
  freemem: () => number;
  totalmem: () => number;
  now: Clock;
}

export const defaultMemoryPorts: MemoryPorts = {
  meminfoPath: '/proc/meminfo',
  readFile: async (path) => readFileSync(path, 'utf8'),
  freemem: () => os.freemem(),
  totalmem: () => os.totalmem(),
  now: systemClock,
};

const MEM_TOTAL = /^MemTotal:[ \t]+(\d+) kB$/m;
const MEM_AVAILABLE = /^MemAvailable:[ \t]+(\d+) kB$/m;

/** MemTotal and MemAvailable from /proc/meminfo's text, in bytes; undefined where absent. */
export function parseMeminfo(text: string): { totalBytes?: number; availableBytes?: number } {
  const kib = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  return { totalBytes: kib(MEM_TOTAL), availableBytes: kib(MEM_AVAILABLE) };
}

export async function probeMemory(ports: Partial<MemoryPorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultMemoryPorts, ...ports };
  let availableBytes: number | undefined;
  let totalBytes: number | undefined;
  let source = p.meminfoPath;
  try {
    ({ availableBytes, totalBytes } = parseMeminfo(await p.readFile(p.meminfoPath)));
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      const error = errorCode(err);
      return { probe: ProbeName.memory, ok: false, error, detail: `could not read ${p.meminfoPath}: ${error}`, at: p.now() };
    }
  }
  if (availableBytes === undefined || !totalBytes) {
    availableBytes = p.freemem();
    totalBytes = p.totalmem();
    source = 'os.freemem()';
  }
  const ratio = totalBytes > 0 ? availableBytes / totalBytes : 0;
  return {
    probe: ProbeName.memory,
    ok: true,
    value: ratio,
    unit: 'ratio',
    detail: `memory available ${formatPercent(ratio)} (${formatBytes(availableBytes)} of ${formatBytes(totalBytes)}, from ${source})`,
    facts: { availableBytes, totalBytes, source },
    at: p.now(),
  };
}

/**
 * Available memory as a share of the total, from /proc/meminfo's MemAvailable
 * (the kernel's estimate of what can be had without swapping). Falls back to
 * os.freemem() where /proc/meminfo is absent or too old to have MemAvailable.
 */
import { readFile } from 'node:fs/promises';
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
  readFile: (path) => readFile(path, 'utf8'),
  freemem: () => os.freemem(),
  totalmem: () => os.totalmem(),
  now: systemClock,
};

/** Fields of /proc/meminfo in bytes (the file states them in kB). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out[m[1]] = Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1);
  }
  return out;
}

export async function probeMemory(ports: Partial<MemoryPorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultMemoryPorts, ...ports };
  let availableBytes: number | undefined;
  let totalBytes: number | undefined;
  let source = p.meminfoPath;
  try {
    const info = parseMeminfo(await p.readFile(p.meminfoPath));
    availableBytes = info.MemAvailable;
    totalBytes = info.MemTotal;
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

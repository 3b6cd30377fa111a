/**
 * Free space on the filesystem that holds the runner's work directory, as
 * unprivileged users see it (`bavail`, the figure `df` shows as Avail).
 * Measures only; whether it is enough is the server's call (src/fleet/health.ts).
 */
import { statfs } from 'node:fs/promises';
import { ProbeName, errorCode, systemClock, type Clock, type ProbeResult } from './types.js';

export interface StatFsFigures {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

export interface DiskPorts {
  statfs: (path: string) => Promise<StatFsFigures>;
  now: Clock;
}

export const defaultDiskPorts: DiskPorts = { statfs: (path) => statfs(path), now: systemClock };

export async function probeDisk(workDir: string, ports: Partial<DiskPorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultDiskPorts, ...ports };
  let s: StatFsFigures;
  try {
    s = await p.statfs(workDir);
  } catch (err) {
    const error = errorCode(err);
    return { probe: ProbeName.disk, ok: false, error, detail: `could not stat the filesystem of ${workDir}: ${error}`, facts: { path: workDir }, at: p.now() };
  }
  const freeBytes = s.bavail * s.bsize;
  // Same base as df's Use%: blocks in use plus blocks an unprivileged user may still take.
  const usable = s.blocks - s.bfree + s.bavail;
  const freeRatio = usable > 0 ? s.bavail / usable : 0;
  return {
    probe: ProbeName.disk,
    ok: true,
    value: freeRatio,
    unit: 'ratio',
    detail: `disk free ${formatPercent(freeRatio)} (${formatBytes(freeBytes)}) on ${workDir}`,
    facts: { path: workDir, freeBytes, totalBytes: usable * s.bsize },
    at: p.now(),
  };
}

/** `0.041` -> `4.1%`, `0.1` -> `10%`. */
export function formatPercent(ratio: number): string {
  const pct = Math.round(ratio * 1000) / 10;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Binary units, one decimal where it matters: `1 GiB`, `512 MiB`, `3.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const rounded = Math.round(v * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${units[i]}`;
}

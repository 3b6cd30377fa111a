/**
 * The 1-minute load average divided by the CPUs this process may use, so one
 * threshold fits a 2-core VM and a 64-core host alike.
 */
import os from 'node:os';
import { ProbeName, systemClock, type Clock, type ProbeResult } from './types.js';

export interface LoadPorts {
  loadavg: () => number[];
  cores: () => number;
  now: Clock;
}

export const defaultLoadPorts: LoadPorts = {
  loadavg: () => os.loadavg(),
  cores: () => os.availableParallelism(),
  now: systemClock,
};

export async function probeLoad(ports: Partial<LoadPorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultLoadPorts, ...ports };
  const load1 = p.loadavg()[0] ?? 0;
  const cores = Math.max(1, p.cores());
  const perCore = load1 / cores;
  return {
    probe: ProbeName.load,
    ok: true,
    value: perCore,
    unit: 'per-core',
    detail: `load ${perCore.toFixed(2)} per core (1-min average ${load1.toFixed(2)} on ${cores} core${cores === 1 ? '' : 's'})`,
    facts: { load1, cores },
    at: p.now(),
  };
}

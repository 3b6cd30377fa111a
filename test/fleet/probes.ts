/** Probe results as an agent would send them, for health tests. */
import type { ProbeResult } from '../../src/agent/probes/types.js';
import { GiB } from '../../src/fleet/thresholds.js';

const at = 0;
export const WORK = '/home/runner/_work';

export const serviceUp = (): ProbeResult => ({ probe: 'runner-service', ok: true, detail: 'runner.service is active', at });
export const serviceDown = (): ProbeResult => ({ probe: 'runner-service', ok: false, detail: 'runner.service is failed', at });
export const serviceUnknown = (): ProbeResult => ({
  probe: 'runner-service',
  ok: false,
  error: 'ETIMEDOUT',
  detail: 'probe runner-service gave no answer within 2000 ms',
  at,
});
export const disk = (ratio: number, freeBytes = 100 * GiB): ProbeResult => ({
  probe: 'disk',
  ok: true,
  value: ratio,
  unit: 'ratio',
  detail: '',
  facts: { path: WORK, freeBytes },
  at,
});
export const memory = (ratio: number): ProbeResult => ({ probe: 'memory', ok: true, value: ratio, unit: 'ratio', detail: '', at });
export const load = (perCore: number): ProbeResult => ({ probe: 'load', ok: true, value: perCore, unit: 'per-core', detail: '', facts: { cores: 4 }, at });

/** A healthy heartbeat, with the given results replacing those of the same probe. */
export function heartbeat(...over: ProbeResult[]): ProbeResult[] {
  const base = [serviceUp(), disk(0.5), memory(0.5), load(0.5)];
  return base.map((p) => over.find((o) => o.probe === p.probe) ?? p).concat(over.filter((o) => !base.some((b) => b.probe === o.probe)));
}

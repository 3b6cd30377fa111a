/**
 * Turns one heartbeat's probe results into findings: what is wrong right now,
 * as human sentences with the figure and the threshold. Pure. Streaks and
 * state transitions are health.ts's business, not this file's.
 */
import { ProbeName, type ProbeResult } from '../agent/probes/types.js';
import { formatBytes, formatPercent } from '../agent/probes/disk.js';
import type { HealthThresholds } from './thresholds.js';

export interface Finding {
  /** `down` makes the runner offline at once; `bad` counts toward degraded. */
  severity: 'down' | 'bad';
  /** Stable key of the condition (`disk.ratio`, `load`, `probe:tcp:server`), for hysteresis. */
  key: string;
  reason: string;
}

/**
 * @param wasBad keys that were bad in the previous evaluation: a figure between
 *   its threshold and its recovery level stays bad for those, and is fine otherwise.
 */
export function assessProbes(probes: readonly ProbeResult[], t: HealthThresholds, wasBad: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const p of probes) {
    if (p.probe === ProbeName.runnerService) {
      if (p.ok) continue;
      if (p.error === undefined) out.push({ severity: 'down', key: 'runner-service', reason: `runner service down: ${p.detail}` });
      else out.push({ severity: 'bad', key: 'probe:runner-service', reason: `runner service unknown: ${p.detail}` });
      continue;
    }
    if (!p.ok) {
      out.push({ severity: 'bad', key: `probe:${p.probe}`, reason: `probe ${p.probe} failed: ${p.detail}` });
      continue;
    }
    if (p.probe === ProbeName.disk) out.push(...assessDisk(p, t, wasBad));
    else if (p.probe === ProbeName.memory) out.push(...assessMemory(p, t, wasBad));
    else if (p.probe === ProbeName.load) out.push(...assessLoad(p, t, wasBad));
  }
  return out;
}

/** Below `min`, or below `min * (1 + margin)` while it was already bad. */
function belowWithHysteresis(value: number, min: number, margin: number, wasBad: boolean): 'below' | 'recovering' | undefined {
  if (value < min) return 'below';
  if (wasBad && value < min * (1 + margin)) return 'recovering';
  return undefined;
}

function assessDisk(p: ProbeResult, t: HealthThresholds, wasBad: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const path = String(p.facts?.path ?? 'the work directory');
  const m = t.recoveryMargin;
  if (typeof p.value === 'number') {
    const how = belowWithHysteresis(p.value, t.diskFreeMinRatio, m, wasBad.has('disk.ratio'));
    if (how === 'below') {
      out.push({ severity: 'bad', key: 'disk.ratio', reason: `disk free ${formatPercent(p.value)} < ${formatPercent(t.diskFreeMinRatio)} on ${path}` });
    } else if (how === 'recovering') {
      out.push({
        severity: 'bad',
        key: 'disk.ratio',
        reason: `disk free ${formatPercent(p.value)} on ${path} not yet back above ${formatPercent(t.diskFreeMinRatio * (1 + m))} (threshold ${formatPercent(t.diskFreeMinRatio)})`,
      });
    }
  }
  const freeBytes = p.facts?.freeBytes;
  if (typeof freeBytes === 'number') {
    const how = belowWithHysteresis(freeBytes, t.diskFreeMinBytes, m, wasBad.has('disk.bytes'));
    if (how === 'below') {
      out.push({ severity: 'bad', key: 'disk.bytes', reason: `disk free ${formatBytes(freeBytes)} < ${formatBytes(t.diskFreeMinBytes)} on ${path}` });
    } else if (how === 'recovering') {
      out.push({
        severity: 'bad',
        key: 'disk.bytes',
        reason: `disk free ${formatBytes(freeBytes)} on ${path} not yet back above ${formatBytes(t.diskFreeMinBytes * (1 + m))} (threshold ${formatBytes(t.diskFreeMinBytes)})`,
      });
    }
  }
  return out;
}

function assessMemory(p: ProbeResult, t: HealthThresholds, wasBad: ReadonlySet<string>): Finding[] {
  if (typeof p.value !== 'number') return [];
  const min = t.memoryAvailableMinRatio;
  const how = belowWithHysteresis(p.value, min, t.recoveryMargin, wasBad.has('memory'));
  if (how === 'below') return [{ severity: 'bad', key: 'memory', reason: `memory available ${formatPercent(p.value)} < ${formatPercent(min)}` }];
  if (how === 'recovering') {
    return [
      {
        severity: 'bad',
        key: 'memory',
        reason: `memory available ${formatPercent(p.value)} not yet back above ${formatPercent(min * (1 + t.recoveryMargin))} (threshold ${formatPercent(min)})`,
      },
    ];
  }
  return [];
}

function assessLoad(p: ProbeResult, t: HealthThresholds, wasBad: ReadonlySet<string>): Finding[] {
  if (typeof p.value !== 'number') return [];
  const max = t.loadPerCoreMax;
  const cores = typeof p.facts?.cores === 'number' ? ` on ${p.facts.cores} cores` : '';
  if (p.value > max) {
    return [{ severity: 'bad', key: 'load', reason: `load ${p.value.toFixed(2)} per core > ${max} (1-minute average${cores})` }];
  }
  const recovery = max * (1 - t.recoveryMargin);
  if (wasBad.has('load') && p.value > recovery) {
    return [
      {
        severity: 'bad',
        key: 'load',
        reason: `load ${p.value.toFixed(2)} per core not yet back below ${Number(recovery.toFixed(2))} (threshold ${max}${cores})`,
      },
    ];
  }
  return [];
}

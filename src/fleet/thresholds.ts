/**
 * The limits a runner's health is judged against, with their defaults.
 * docs/fleet.md states the same numbers; change both together.
 */
import { UsageError } from '../errors.js';

export interface HealthThresholds {
  /** Degraded below this share of free disk on the work directory's filesystem. */
  diskFreeMinRatio: number;
  /** Degraded below this many free bytes there, whatever the share. */
  diskFreeMinBytes: number;
  /** Degraded below this share of available memory. */
  memoryAvailableMinRatio: number;
  /** Degraded above this 1-minute load average per core. */
  loadPerCoreMax: number;
  /** Offline when the last heartbeat is older than this. */
  heartbeatTimeoutMs: number;
  /** Consecutive bad evaluations before online turns degraded. */
  degradeAfter: number;
  /** Consecutive good evaluations before degraded (or a runner back from offline) turns online. */
  recoverAfter: number;
  /**
   * A figure that crossed its threshold counts as recovered only once it is this
   * share beyond it (0.2: disk back above 12% when the threshold is 10%).
   */
  recoveryMargin: number;
}

export const GiB = 1024 ** 3;

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  diskFreeMinRatio: 0.1,
  diskFreeMinBytes: 1 * GiB,
  memoryAvailableMinRatio: 0.05,
  loadPerCoreMax: 4,
  heartbeatTimeoutMs: 3000,
  degradeAfter: 2,
  recoverAfter: 3,
  recoveryMargin: 0.2,
});

type Rule = (v: number) => boolean;
const RULES: Record<keyof HealthThresholds, [Rule, string]> = {
  diskFreeMinRatio: [(v) => v >= 0 && v <= 1, 'a ratio between 0 and 1 (0.1 = 10%)'],
  diskFreeMinBytes: [(v) => Number.isInteger(v) && v >= 0, 'a whole number of bytes, 0 or more'],
  memoryAvailableMinRatio: [(v) => v >= 0 && v <= 1, 'a ratio between 0 and 1 (0.05 = 5%)'],
  loadPerCoreMax: [(v) => v > 0, 'a number above 0'],
  heartbeatTimeoutMs: [(v) => Number.isInteger(v) && v > 0, 'a whole number of milliseconds above 0'],
  degradeAfter: [(v) => Number.isInteger(v) && v >= 1, 'a whole number, 1 or more'],
  recoverAfter: [(v) => Number.isInteger(v) && v >= 1, 'a whole number, 1 or more'],
  recoveryMargin: [(v) => v >= 0 && v < 1, 'a ratio from 0 up to, not including, 1'],
};

/**
 * Defaults overlaid with the given values, checked.
 * @throws UsageError naming the key and the allowed values.
 */
export function resolveThresholds(partial: Partial<HealthThresholds> = {}, where = 'health thresholds'): HealthThresholds {
  const out = { ...DEFAULT_HEALTH_THRESHOLDS };
  for (const [key, value] of Object.entries(partial) as Array<[keyof HealthThresholds, number | undefined]>) {
    if (value === undefined) continue;
    const rule = RULES[key];
    if (!rule) {
      throw new UsageError(`${where}: unknown key "${key}"`, { hint: `known keys: ${Object.keys(RULES).join(', ')}` });
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule[0](value)) {
      throw new UsageError(`${where}.${key} is ${JSON.stringify(value)}; it must be ${rule[1]}`, { code: 'config.invalid' });
    }
    out[key] = value;
  }
  return out;
}

/**
 * Runner availability over a window from its state history: the share of the
 * time whose state is known (anything but `unknown`) that the runner spent
 * `online`. `degraded` and `offline` both count as not available. Pure.
 */
import type { RunnerState, RunnerStateChange } from '../store/index.js';

export interface Availability {
  runner: string;
  /** onlineMs / knownMs, or null when the state was never known in the window. */
  availability: number | null;
  onlineMs: number;
  /** Time in the window in a state other than `unknown`. */
  knownMs: number;
  /** State changes inside the window. */
  changes: number;
}

/**
 * @param history every state change of the runner, oldest first (earlier ones set the state at `from`)
 * @param current the runner's state now, used when the history is empty
 */
export function runnerAvailability(runner: string, history: readonly RunnerStateChange[], current: RunnerState, from: number, to: number): Availability {
  const sorted = [...history].sort((a, b) => a.at - b.at);
  const before = sorted.filter((c) => c.at < from);
  const inside = sorted.filter((c) => c.at >= from && c.at < to);
  let state: RunnerState = before.length > 0 ? before[before.length - 1].to : sorted.length > 0 ? sorted[0].from : current;
  let at = from;
  let onlineMs = 0;
  let knownMs = 0;
  const spend = (until: number) => {
    const span = Math.max(0, until - at);
    if (state !== 'unknown') knownMs += span;
    if (state === 'online') onlineMs += span;
  };
  for (const c of inside) {
    spend(c.at);
    state = c.to;
    at = c.at;
  }
  spend(to);
  return { runner, availability: knownMs === 0 ? null : onlineMs / knownMs, onlineMs, knownMs, changes: inside.length };
}

/**
 * Decides whether a runner is online, degraded or offline from its latest
 * heartbeat, with hysteresis so a figure hovering at a threshold does not make
 * the runner flap. Pure: the caller passes the clock reading and stores the
 * returned state; nothing here reads time, files or the network.
 * The rules are stated in docs/fleet.md.
 */
import type { ProbeResult } from '../agent/probes/types.js';
import { assessProbes } from './assess.js';
import { resolveThresholds, type HealthThresholds } from './thresholds.js';

export type RunnerState = 'online' | 'degraded' | 'offline';

/** What the server keeps per runner between evaluations. */
export interface RunnerHealthState {
  state: RunnerState;
  reasons: string[];
  /** Consecutive evaluations with a problem (while not offline). */
  badStreak: number;
  /** Consecutive evaluations without one (while not offline). */
  goodStreak: number;
  /** Condition keys that were bad last time, for the recovery margin. */
  badKeys: string[];
  /** When the runner entered `state` (ms since epoch), if known. */
  since?: number;
}

export interface HealthInput {
  now: number;
  /** When the last heartbeat arrived; undefined if none ever did. */
  lastHeartbeatAt?: number;
  /** The probe results that heartbeat carried. */
  probes: readonly ProbeResult[];
  thresholds?: Partial<HealthThresholds>;
}

export interface HealthEvaluation {
  state: RunnerState;
  /** Why the runner is in this state; empty when online. */
  reasons: string[];
  /** The state differs from the previous one. */
  changed: boolean;
  previous: RunnerState;
  /** Every problem seen in this evaluation, even those not (yet) changing the state. */
  findings: string[];
  /** Store this and pass it back as `prev` next time. */
  next: RunnerHealthState;
}

/** A runner the server has never heard from. */
export function initialHealthState(): RunnerHealthState {
  return { state: 'offline', reasons: ['no heartbeat received yet'], badStreak: 0, goodStreak: 0, badKeys: [] };
}

export function evaluateRunner(prev: RunnerHealthState, input: HealthInput): HealthEvaluation {
  const t = resolveThresholds(input.thresholds);
  const { now } = input;
  const done = (next: Omit<RunnerHealthState, 'since'>, findings: string[]): HealthEvaluation => {
    const changed = next.state !== prev.state;
    const since = changed ? now : prev.since;
    return {
      state: next.state,
      reasons: next.reasons,
      changed,
      previous: prev.state,
      findings,
      next: since === undefined ? next : { ...next, since },
    };
  };

  const silence = heartbeatSilence(input.lastHeartbeatAt, now, t.heartbeatTimeoutMs);
  if (silence) return done({ state: 'offline', reasons: [silence], badStreak: 0, goodStreak: 0, badKeys: [] }, [silence]);

  const findings = assessProbes(input.probes, t, new Set(prev.badKeys));
  const all = findings.map((f) => f.reason);
  const down = findings.filter((f) => f.severity === 'down').map((f) => f.reason);
  if (down.length) return done({ state: 'offline', reasons: down, badStreak: 0, goodStreak: 0, badKeys: [] }, all);

  const badKeys = findings.map((f) => f.key);
  if (findings.length) {
    const badStreak = prev.state === 'offline' ? 1 : prev.badStreak + 1;
    // Back from offline with a problem: degraded at once, it is not healthy.
    const degrade = prev.state !== 'online' || badStreak >= t.degradeAfter;
    return done({ state: degrade ? 'degraded' : 'online', reasons: degrade ? all : [], badStreak, goodStreak: 0, badKeys }, all);
  }

  const goodStreak = prev.state === 'offline' ? 1 : prev.goodStreak + 1;
  if (prev.state === 'online' || goodStreak >= t.recoverAfter) {
    return done({ state: 'online', reasons: [], badStreak: 0, goodStreak, badKeys }, all);
  }
  const why = prev.state === 'offline' ? 'back from offline' : 'recovering';
  return done(
    { state: 'degraded', reasons: [`${why}: ${goodStreak} of ${t.recoverAfter} consecutive healthy evaluations`], badStreak: 0, goodStreak, badKeys },
    all,
  );
}

/** Why the runner counts as silent, or undefined when its heartbeat is fresh. */
function heartbeatSilence(last: number | undefined, now: number, timeoutMs: number): string | undefined {
  if (last === undefined) return 'no heartbeat received yet';
  const age = now - last;
  if (age <= timeoutMs) return undefined;
  return `no heartbeat for ${formatSeconds(age)} (timeout ${formatSeconds(timeoutMs)})`;
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${Number.isInteger(s) ? s.toFixed(0) : s.toFixed(1)} s`;
}

/**
 * Clock skew between this host and the server, from one heartbeat round trip:
 * the server stamped its time somewhere between our send and our receive, so
 * we compare it with the midpoint and the error is at most half the round trip.
 * Pure: no clock is read here.
 */
import { ProbeName, type ProbeResult } from './types.js';

export interface ClockSample {
  /** Local time when the heartbeat was sent (ms since epoch). */
  sentAt: number;
  /** Local time when the ack arrived. */
  receivedAt: number;
  /** Server time carried in the ack. */
  serverTime: number;
}

export interface ClockSkew {
  /** Server clock minus local clock; positive when the server is ahead. */
  skewMs: number;
  roundTripMs: number;
  /** The true skew lies within skewMs ± uncertaintyMs. */
  uncertaintyMs: number;
}

export function computeClockSkew(sample: ClockSample): ClockSkew {
  const roundTripMs = Math.max(0, sample.receivedAt - sample.sentAt);
  const midpoint = sample.sentAt + roundTripMs / 2;
  return { skewMs: sample.serverTime - midpoint, roundTripMs, uncertaintyMs: roundTripMs / 2 };
}

/** Default largest tolerated skew: leases and journal timestamps assume clocks agree to seconds. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5000;

export function clockSkewProbe(sample: ClockSample, maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS): ProbeResult {
  const { skewMs, roundTripMs, uncertaintyMs } = computeClockSkew(sample);
  const direction = skewMs >= 0 ? 'behind' : 'ahead of';
  const ok = Math.abs(skewMs) - uncertaintyMs <= maxSkewMs;
  const figure = `${Math.abs(Math.round(skewMs))} ms ${direction} the server (±${Math.round(uncertaintyMs)} ms)`;
  return {
    probe: ProbeName.clockSkew,
    ok,
    value: Math.round(skewMs),
    unit: 'ms',
    detail: ok ? `local clock ${figure}` : `local clock ${figure}, more than ${maxSkewMs} ms; check NTP (timedatectl status)`,
    facts: { roundTripMs, uncertaintyMs },
    at: sample.receivedAt,
  };
}

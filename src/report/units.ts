/**
 * How report figures are written for people: durations, percentages, times.
 * Never rounds a rate up: 94.99 % is shown as 94.9 %, so a displayed 95.0 %
 * always means the objective is met.
 */

export const NO_DATA = 'no data';

/** `850 ms`, `12.3 s`, `9m 40s`, `2h 5m`; null is "no data". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return NO_DATA;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** `part / whole` as a percentage with one decimal, truncated; null when whole is 0. */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return NO_DATA;
  return `${(Math.floor((part * 1000) / whole) / 10).toFixed(1)} %`;
}

/** A ratio 0..1 as a percentage with one decimal, truncated. */
export function formatRatio(r: number | null): string {
  if (r === null) return NO_DATA;
  return `${(Math.floor(r * 1000 + 1e-9) / 10).toFixed(1)} %`;
}

/** ISO 8601 to the second, UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

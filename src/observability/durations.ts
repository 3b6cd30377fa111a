/**
 * Prometheus durations (`30s`, `1h30m`, `1500ms`) to milliseconds and back,
 * and the `forScale` multiplication the export applies to alert `for:` times.
 * Never rounds a positive duration down to zero.
 */
const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
const PART = /(\d+)(ms|d|h|m|s)/g;

/** @throws Error for text that is not a Prometheus duration. */
export function durationMs(text: string): number {
  if (!/^(\d+(ms|d|h|m|s))+$/.test(text)) throw new Error(`not a Prometheus duration: "${text}"`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(PART)) total += Number(n) * UNITS.find(([u]) => u === unit)![1];
  return total;
}

/** 90_000 -> `1m30s`; 1500 -> `1s500ms`; 0 -> `0s`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0s';
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** `scaleDuration('30s', 0.1)` is `3s`; at least 1 ms for a positive input. */
export function scaleDuration(text: string, factor: number): string {
  const ms = durationMs(text);
  return formatDuration(ms === 0 ? 0 : Math.max(1, Math.round(ms * factor)));
}

/**
 * The report's arithmetic: nearest-rank percentiles, means and ratios over
 * plain numbers. Pure; never reads the store or a clock. Empty input gives
 * null ("no data"), never 0.
 */

/**
 * The nearest-rank percentile: the smallest value such that at least `p` % of
 * the values are less than or equal to it, i.e. the value at 1-based rank
 * `ceil(p / 100 * n)` of the ascending values (rank 1 for p = 0). It is always
 * one of the observed values; no interpolation.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  // p * n first: integer arithmetic for integer p, so 95 % of 100 is rank 95, never 96.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1];
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** `part / whole`, or null when `whole` is 0. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

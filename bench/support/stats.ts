/**
 * Figures for the benchmarks: nearest-rank quantiles over a sample and the
 * table cells they are printed in. Computes only; never measures.
 */

/** Nearest-rank quantile of an ascending sample (q in 0..1). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The sample ascending, without changing the caller's array. */
export function ascending(sample: readonly number[]): number[] {
  return [...sample].sort((a, b) => a - b);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function millis(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}

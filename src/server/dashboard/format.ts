/**
 * How the dashboard writes times, durations, ratios and sizes: short, in UTC,
 * and `—` for a value that is not known (never 0, which would read as a fact).
 */
import { html, type Html } from './html.js';

export const NONE = '—';

/** `2026-11-26 21:20:05 UTC` inside a <time> element, or `—`. */
export function when(ms: number | null | undefined): Html | string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  const neg = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${neg}${Math.round(a)} ms`;
  if (a < 60_000) return `${neg}${(a / 1000).toFixed(1)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${neg}${pair(Math.floor(s / 60), 'min', s % 60, 's')}`;
  if (s < 86_400) return `${neg}${pair(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min')}`;
  return `${neg}${pair(Math.floor(s / 86_400), 'd', Math.floor((s % 86_400) / 3600), 'h')}`;
}

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** `5.2 s ago`, or `never`. */
export function ago(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return `${duration(Math.max(0, ms))} ago`;
}

/** 0.934 -> `93.4 %`. */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return NONE;
  return `${(ratio * 100).toFixed(1)} %`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

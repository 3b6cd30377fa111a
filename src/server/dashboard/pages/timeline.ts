/**
 * A runner's last 24 h of states as one SVG bar: a rectangle per period,
 * each with a text title, and a summary for screen readers. SVG attributes
 * rather than inline styles, so the page needs no inline CSS.
 */
import type { RunnerState } from '../../../fleet/health.js';
import { duration } from '../format.js';
import { html, type Html } from '../html.js';

const WINDOW_MS = 24 * 3600_000;
const WIDTH = 1000;

interface Change {
  atMs: number;
  state: RunnerState;
}

export interface Period {
  state: RunnerState | 'unknown';
  from: number;
  to: number;
}

/** The periods of the window ending at `now`; before the first known change the state is unknown. */
export function periods(history: readonly Change[], current: RunnerState, now: number): Period[] {
  const from = now - WINDOW_MS;
  const sorted = [...history].sort((a, b) => a.atMs - b.atMs);
  let state: RunnerState | 'unknown' = 'unknown';
  for (const c of sorted) if (c.atMs <= from) state = c.state;
  if (sorted.length === 0) state = current;
  const out: Period[] = [];
  let at = from;
  for (const c of sorted) {
    if (c.atMs <= from || c.atMs > now) continue;
    if (c.atMs > at) out.push({ state, from: at, to: c.atMs });
    state = c.state;
    at = Math.max(at, c.atMs);
  }
  out.push({ state, from: at, to: now });
  return out;
}

export function timeline(history: readonly Change[], current: RunnerState, now: number): Html {
  const ps = periods(history, current, now);
  const totals = new Map<string, number>();
  for (const p of ps) totals.set(p.state, (totals.get(p.state) ?? 0) + p.to - p.from);
  const summary = [...totals].map(([s, ms]) => `${s} ${duration(ms)}`).join(', ');
  const x = (t: number) => ((t - (now - WINDOW_MS)) / WINDOW_MS) * WIDTH;
  return html`<svg class="timeline" viewBox="0 0 ${WIDTH} 10" preserveAspectRatio="none" role="img" aria-label="Last 24 hours: ${summary}">${ps.map(
    (p) => html`<rect class="${p.state}" x="${x(p.from).toFixed(2)}" y="0" width="${Math.max(0.5, x(p.to) - x(p.from)).toFixed(2)}" height="10"><title>${p.state} for ${duration(p.to - p.from)}</title></rect>`,
  )}</svg>`;
}

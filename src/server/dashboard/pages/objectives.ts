/**
 * Objectives: success rate, p50/p95/p99 deploy duration, mean time to
 * recovery and rollbacks over 7 and 30 days, each against its target. A
 * figure without data reads `no data`, never as met.
 */
import type { DashboardContext, View } from '../context.js';
import { duration, percent } from '../format.js';
import { html, type Html } from '../html.js';
import { DAY_MS, objectivesOver, TARGETS, type Verdict, type WindowObjectives } from '../objectives.js';
import { badge, table } from '../table.js';

interface Row {
  name: string;
  target: string;
  value(w: WindowObjectives): string;
  verdict(w: WindowObjectives): Verdict | null;
  basis(w: WindowObjectives): string;
}

const ROWS: Row[] = [
  { name: 'Deploy success rate', target: `≥ ${percent(TARGETS.successRate)}`, value: (w) => (w.successRate === null ? 'no data' : percent(w.successRate)), verdict: (w) => w.verdicts.successRate, basis: (w) => `${w.succeeded} of ${w.finished} finished deploys` },
  { name: 'Deploy duration p50', target: 'none', value: (w) => (w.p50DurationMs === null ? 'no data' : duration(w.p50DurationMs)), verdict: () => null, basis: (w) => `${w.finished} finished deploys` },
  { name: 'Deploy duration p95', target: `≤ ${duration(TARGETS.p95DurationMs)}`, value: (w) => (w.p95DurationMs === null ? 'no data' : duration(w.p95DurationMs)), verdict: (w) => w.verdicts.p95DurationMs, basis: (w) => `${w.finished} finished deploys` },
  { name: 'Deploy duration p99', target: 'none', value: (w) => (w.p99DurationMs === null ? 'no data' : duration(w.p99DurationMs)), verdict: () => null, basis: (w) => `${w.finished} finished deploys` },
  { name: 'Mean time to recovery', target: `≤ ${duration(TARGETS.mttrMs)}`, value: (w) => (w.mttrMs === null ? 'no data' : duration(w.mttrMs)), verdict: (w) => w.verdicts.mttrMs, basis: (w) => `${w.resolvedIncidents} resolved incidents` },
  { name: 'Rollbacks', target: 'none', value: (w) => String(w.rollbacks), verdict: () => null, basis: (w) => `of ${w.finished} finished deploys` },
];

function verdictBadge(v: Verdict | null): Html {
  if (v === null) return badge('info', 'tracked');
  return badge(v === 'no data' ? 'nodata' : v, v);
}

function windowTable(w: WindowObjectives): Html {
  return html`<h2>Last ${w.days} days</h2>
${table<Row>(`Objectives over the last ${w.days} days`, [
    { label: 'Objective', cell: (r) => r.name },
    { label: 'Value', cell: (r) => r.value(w), cls: 'num' },
    { label: 'Target', cell: (r) => r.target, cls: 'num' },
    { label: 'Verdict', cell: (r) => verdictBadge(r.verdict(w)) },
    { label: 'From', cell: (r) => r.basis(w) },
  ], ROWS, '')}`;
}

async function render(d: DashboardContext): Promise<Html> {
  const now = d.now();
  const deployments = await d.store.listDeployments({ since: now - 30 * DAY_MS });
  const incidents = await d.store.listIncidents('all');
  return html`${windowTable(objectivesOver(deployments, incidents, now, 7))}
${windowTable(objectivesOver(deployments, incidents, now, 30))}
<p class="legend">Percentiles are nearest-rank over finished deploys started in the window; recovery is from an incident's opening to its resolution.</p>`;
}

export const objectivesView: View = { title: () => 'Objectives', nav: 'objectives', render };

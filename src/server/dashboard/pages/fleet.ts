/**
 * Fleet: every configured runner with its state and the reasons for it, the
 * age of its last heartbeat, disk, memory, load, current job, environments,
 * priority, and its last 24 h of states as a timeline.
 */
import type { ProbeResult } from '../../../agent/probes/types.js';
import type { RunnerView } from '../../fleet-monitor.js';
import type { DashboardContext, View } from '../context.js';
import { ago, bytes, NONE, percent } from '../format.js';
import { html, type Html } from '../html.js';
import { badge, table } from '../table.js';
import { timeline } from './timeline.js';

function probe(v: RunnerView, name: string): ProbeResult | undefined {
  return v.probes.find((p) => p.probe === name);
}

function failed(p: ProbeResult): Html {
  return html`${badge('failed', 'probe failed')} ${p.detail || p.error || ''}`;
}

/** The disk probe's value is the share free on the work directory's filesystem. */
function diskCell(v: RunnerView): Html | string {
  const p = probe(v, 'disk');
  if (!p) return NONE;
  if (!p.ok) return failed(p);
  const free = (p.facts as { freeBytes?: number } | undefined)?.freeBytes;
  return html`${percent(p.value)} free${free === undefined ? '' : html` (${bytes(free)})`}`;
}

/** The memory probe's value is the share available. */
function memoryCell(v: RunnerView): Html | string {
  const p = probe(v, 'memory');
  if (!p) return NONE;
  if (!p.ok) return failed(p);
  const f = p.facts as { availableBytes?: number; totalBytes?: number } | undefined;
  return html`${percent(p.value)} available${f?.availableBytes !== undefined && f.totalBytes ? html` (${bytes(f.availableBytes)} of ${bytes(f.totalBytes)})` : ''}`;
}

function loadCell(v: RunnerView): Html | string {
  const p = probe(v, 'load');
  if (!p) return NONE;
  if (!p.ok) return failed(p);
  return typeof p.value === 'number' ? `${p.value.toFixed(2)} per core` : NONE;
}

function jobCell(v: RunnerView): Html | string {
  const j = v.currentJob;
  if (!j) return 'idle';
  return html`${j.name}${j.repository ? html`<br><span class="legend">${j.repository}${j.workflow ? ` · ${j.workflow}` : ''}</span>` : ''}`;
}

function stateCell(v: RunnerView): Html {
  return html`${badge(v.state, v.state)}${v.connected ? '' : html` <span class="legend">agent not connected</span>`}
${v.reasons.length > 0 ? html`<ul class="reasons">${v.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}`;
}

async function render(d: DashboardContext): Promise<Html> {
  const views = d.fleet.views();
  const now = d.now();
  const counts = { online: 0, degraded: 0, offline: 0 };
  for (const v of views) counts[v.state]++;
  return html`<p><strong>${views.length} runners</strong>: ${badge('online', `${counts.online} online`)} ${badge('degraded', `${counts.degraded} degraded`)} ${badge('offline', `${counts.offline} offline`)}</p>
${table<RunnerView>('Runners', [
    { label: 'Runner', cell: (v) => html`<strong id="runner-${v.name}">${v.name}</strong>` },
    { label: 'State', cell: stateCell },
    { label: 'Last heartbeat', cell: (v) => ago(v.lastHeartbeatAgeMs), cls: 'num' },
    { label: 'Disk', cell: diskCell },
    { label: 'Memory', cell: memoryCell },
    { label: 'Load', cell: loadCell },
    { label: 'Job', cell: jobCell },
    { label: 'Environments', cell: (v) => v.environments.join(', ') || NONE },
    { label: 'Priority', cell: (v) => v.priority, cls: 'num' },
    { label: 'Last 24 h', cell: (v) => timeline(d.fleet.history(v.name), v.state, now) },
  ], views, 'No runners are configured (runners in pitcrew.yml).')}
<p class="legend">Timeline: green online, amber degraded, red offline, grey not known; oldest on the left, now on the right.</p>`;
}

export const fleetView: View = { title: () => 'Fleet', nav: 'fleet', render };

/**
 * Incidents: the open ones first, then the resolved, each with its time to
 * detect (opened to detected) and time to resolve (opened to resolved).
 */
import type { Incident } from '../../../store/index.js';
import type { DashboardContext, View } from '../context.js';
import { duration, NONE, when } from '../format.js';
import { html, type Html } from '../html.js';
import { table, type Column } from '../table.js';

function columns(now: number, resolved: boolean): Column<Incident>[] {
  return [
    { label: 'Kind', cell: (i) => i.kind },
    { label: 'Cause', cell: (i) => i.cause },
    { label: 'Environment', cell: (i) => i.environment ?? NONE },
    { label: 'Runner', cell: (i) => i.runner ?? NONE },
    { label: 'Deployment', cell: (i) => (i.deploymentId ? html`<a href="/deployments/${encodeURIComponent(i.deploymentId)}">${i.deploymentId}</a>` : NONE) },
    { label: 'Opened', cell: (i) => when(i.openedAt), cls: 'num' },
    { label: 'Time to detect', cell: (i) => duration(i.detectedAt - i.openedAt), cls: 'num' },
    { label: 'Acknowledged', cell: (i) => when(i.acknowledgedAt), cls: 'num' },
    resolved
      ? { label: 'Time to resolve', cell: (i) => duration((i.resolvedAt as number) - i.openedAt), cls: 'num' }
      : { label: 'Open for', cell: (i) => duration(now - i.openedAt), cls: 'num' },
    ...(resolved ? [{ label: 'Note', cell: (i: Incident) => i.resolutionNote ?? NONE }] : []),
  ];
}

async function render(d: DashboardContext): Promise<Html> {
  const now = d.now();
  const all = await d.store.listIncidents('all', 200);
  const open = all.filter((i) => i.resolvedAt === null);
  const resolved = all.filter((i) => i.resolvedAt !== null);
  return html`<h2>Open (${open.length})</h2>
${table('Open incidents, newest first', columns(now, false), open, 'No open incidents.')}
<h2>Resolved (${resolved.length})</h2>
${table('Resolved incidents, newest first', columns(now, true), resolved, 'No resolved incidents.')}`;
}

export const incidentsView: View = { title: () => 'Incidents', nav: 'incidents', render };

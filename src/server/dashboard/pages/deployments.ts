/**
 * Deployments: the newest first, filtered by environment, result and runner
 * (a GET form, so a filtered list is a link one can share).
 */
import type { Deployment } from '../../../store/index.js';
import type { DashboardContext, Query, View } from '../context.js';
import { duration, NONE, when } from '../format.js';
import { html, type Html } from '../html.js';
import { SUCCEEDED } from '../objectives.js';
import { badge, table } from '../table.js';

export const RESULTS = ['succeeded', 'failed', 'rolled-back', 'running'] as const;
const LIMIT = 200;

export function resultBadge(d: Deployment): Html {
  if (d.result === null) return badge('running', d.state || 'running');
  return badge(d.result === SUCCEEDED ? 'succeeded' : d.result === 'rolled-back' ? 'rolled-back' : 'failed', d.result);
}

function select(name: string, label: string, options: readonly string[], chosen: string | undefined): Html {
  return html`<label for="f-${name}">${label}<select id="f-${name}" name="${name}">
<option value="">any</option>${options.map((o) => html`<option value="${o}"${o === chosen ? html` selected` : ''}>${o}</option>`)}
</select></label>`;
}

function intro(d: DashboardContext, q: Query): Html {
  const envs = Object.keys(d.config.environments).sort();
  const runners = d.config.runners.map((r) => r.name).sort();
  return html`<form class="filters" method="get" action="/deployments" aria-label="Filter deployments">
${select('env', 'Environment', envs, q.env)}
${select('result', 'Result', RESULTS, q.result)}
${select('runner', 'Runner', runners, q.runner)}
<button type="submit">Filter</button> <a href="/deployments">Clear</a>
</form>`;
}

async function render(d: DashboardContext, q: Query): Promise<Html> {
  const running = q.result === 'running';
  const list = await d.store.listDeployments({
    environment: q.env || undefined,
    runner: q.runner || undefined,
    result: q.result && !running ? q.result : undefined,
    limit: running ? undefined : LIMIT,
  });
  const rows = (running ? list.filter((x) => x.result === null) : list).slice(0, LIMIT);
  const now = d.now();
  return table<Deployment>('Deployments, newest first', [
    { label: 'Deployment', cell: (x) => html`<a href="/deployments/${encodeURIComponent(x.id)}">${x.id}</a>` },
    { label: 'Environment', cell: (x) => x.environment },
    { label: 'Version', cell: (x) => x.version },
    { label: 'Result', cell: resultBadge },
    { label: 'Runner', cell: (x) => x.runner ?? NONE },
    { label: 'By', cell: (x) => x.actor },
    { label: 'Started', cell: (x) => when(x.startedAt), cls: 'num' },
    { label: 'Took', cell: (x) => (x.finishedAt === null ? `${duration(now - x.startedAt)} so far` : duration(x.finishedAt - x.startedAt)), cls: 'num' },
  ], rows, 'No deployments match.');
}

export const deploymentsView: View = { title: () => 'Deployments', nav: 'deployments', render, intro };

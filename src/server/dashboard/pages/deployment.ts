/**
 * One deployment: what was deployed where by whom, its result and error, its
 * check results, its journal step by step per target with timings, the
 * rollback if there was one, and the journal's output. Everything here passes
 * the masker with the rest of the page.
 */
import type { Deployment, JournalEvent } from '../../../store/index.js';
import { ViewNotFound, type DashboardContext, type Query, type View } from '../context.js';
import { duration, NONE, when } from '../format.js';
import { html, type Html } from '../html.js';
import { badge, table } from '../table.js';
import { resultBadge } from './deployments.js';
import { byTarget, isCheck, isRollback, steps, type StepRow } from './journal.js';

function phaseBadge(phase: string): Html {
  const kind = phase === 'succeeded' || phase === 'done' || phase === 'passed' || phase === 'ok' ? 'done' : phase === 'started' ? 'started' : phase === 'skipped' ? 'info' : 'failed';
  return badge(kind, phase);
}

const took = (r: StepRow): string => (r.startedAt !== null && r.endedAt !== null ? duration(r.endedAt - r.startedAt) : NONE);

function stepTable(caption: string, rows: readonly StepRow[], withTarget = false): Html {
  return table<StepRow>(caption, [
    ...(withTarget ? [{ label: 'Target', cell: (r: StepRow) => r.target ?? 'all' }] : []),
    { label: 'Step', cell: (r) => r.step },
    { label: 'Outcome', cell: (r) => phaseBadge(r.phase) },
    { label: 'Started', cell: (r) => when(r.startedAt), cls: 'num' },
    { label: 'Ended', cell: (r) => when(r.endedAt), cls: 'num' },
    { label: 'Took', cell: took, cls: 'num' },
    { label: 'Detail', cell: (r) => r.detail ?? '' },
  ], rows, 'No steps.');
}

function facts(dep: Deployment, now: number): Html {
  return html`<dl class="facts">
<dt>Result</dt><dd>${resultBadge(dep)} <span class="legend">state ${dep.state}</span></dd>
<dt>Environment</dt><dd>${dep.environment}</dd>
<dt>Version</dt><dd>${dep.version} <span class="legend">${dep.digest}</span></dd>
<dt>Runner</dt><dd>${dep.runner ?? NONE}</dd>
<dt>By</dt><dd>${dep.actor}</dd>
<dt>Fencing token</dt><dd>${dep.fencingToken ?? NONE}</dd>
<dt>Started</dt><dd>${when(dep.startedAt)}</dd>
<dt>Finished</dt><dd>${when(dep.finishedAt)}</dd>
<dt>Took</dt><dd>${dep.finishedAt === null ? `${duration(now - dep.startedAt)} so far` : duration(dep.finishedAt - dep.startedAt)}</dd>
${dep.error ? html`<dt>Error</dt><dd class="error">${dep.error}</dd>` : ''}
</dl>`;
}

function output(events: readonly JournalEvent[]): Html {
  if (events.length === 0) return html`<p class="empty">The journal is empty.</p>`;
  const line = (e: JournalEvent) =>
    `${String(e.seq).padStart(3)} ${new Date(e.at).toISOString().slice(11, 23)} ${(e.target ?? '-').padEnd(10)} ${e.step} ${e.phase}${e.detail ? `: ${e.detail}` : ''}`;
  return html`<pre aria-label="Journal output">${events.map(line).join('\n')}</pre>`;
}

async function render(d: DashboardContext, q: Query): Promise<Html> {
  const id = q.id ?? '';
  const dep = await d.store.getDeployment(id);
  if (!dep) throw new ViewNotFound(`There is no deployment ${id.slice(0, 100)}.`);
  const events = await d.store.listJournal(dep.id);
  const rows = steps(events);
  const checks = rows.filter(isCheck);
  const rollback = rows.filter(isRollback);
  const groups = [...byTarget(rows.filter((r) => !isRollback(r)))];
  return html`${facts(dep, d.now())}
<h2>Checks</h2>
${table<StepRow>('Check results', [
    { label: 'Target', cell: (r) => r.target ?? 'all' },
    { label: 'Check', cell: (r) => r.step },
    { label: 'Result', cell: (r) => phaseBadge(r.phase) },
    { label: 'Took', cell: took, cls: 'num' },
    { label: 'Detail', cell: (r) => r.detail ?? '' },
  ], checks, 'No checks ran.')}
<h2>Steps</h2>
${groups.length === 0 ? html`<p class="empty">No steps recorded.</p>` : groups.map(([target, list]) => html`<h3>${target === null ? 'Whole deployment' : html`Target ${target}`}</h3>${stepTable(`Steps on ${target ?? 'the whole deployment'}`, list)}`)}
<h2>Rollback</h2>
${rollback.length === 0 ? html`<p>No rollback.</p>` : stepTable('Rollback steps', rollback, true)}
<h2>Output</h2>
${output(events)}`;
}

export const deploymentView: View = { title: (q) => `Deployment ${q.id ?? ''}`, nav: 'deployments', render };

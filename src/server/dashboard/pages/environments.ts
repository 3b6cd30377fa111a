/**
 * Environments: per configured environment, the release it runs now and when
 * it was switched, who holds its deploy lock (fencing token, lease left) and
 * who waits in what order, and its previous good and last bad releases.
 * Owner tokens are never shown: they are what renews or releases a hold.
 */
import type { Deployment, LockStatus, QueuedWaiter } from '../../../store/index.js';
import type { DashboardContext, View } from '../context.js';
import { ago, duration, NONE, when } from '../format.js';
import { html, type Html } from '../html.js';
import { ROLLED_BACK, SUCCEEDED } from '../objectives.js';
import { badge, table } from '../table.js';

function release(d: Deployment | undefined, at?: number | null): Html | string {
  if (!d) return NONE;
  return html`<a href="/deployments/${encodeURIComponent(d.id)}">${d.version}</a> <span class="legend">(${d.digest.slice(0, 19)})</span>${at === undefined ? '' : html`, ${when(at)}`}`;
}

/** When the release was switched: the last completed `switch` step of its journal, else when it finished. */
async function switchedAt(d: DashboardContext, dep: Deployment): Promise<number | null> {
  const journal = await d.store.listJournal(dep.id);
  const switches = journal.filter((e) => e.step === 'switch' && (e.phase === 'succeeded' || e.phase === 'done'));
  return switches.length > 0 ? switches[switches.length - 1].at : dep.finishedAt;
}

function lockFacts(lock: LockStatus, now: number): Html {
  const h = lock.holder;
  if (!h) return html`<p>Lock: ${badge('ok', 'free')} · last fencing token ${lock.lastFencingToken}</p>`;
  const left = h.expiresAt - now;
  return html`<dl class="facts">
<dt>Lock held by</dt><dd>${h.runner ?? 'unnamed'} ${h.expired ? badge('expired', 'lease passed') : ''}</dd>
<dt>For</dt><dd>${h.description}</dd>
<dt>Fencing token</dt><dd>${h.fencingToken}</dd>
<dt>Granted</dt><dd>${when(h.grantedAt)}</dd>
<dt>Lease left</dt><dd>${left > 0 ? duration(left) : html`${badge('expired', 'expired')} ${duration(-left)} ago`}</dd>
</dl>`;
}

async function envCard(d: DashboardContext, env: string, now: number): Promise<Html> {
  const lock = await d.store.lockStatus(env, now);
  const deps = await d.store.listDeployments({ environment: env, limit: 200 });
  const good = deps.filter((x) => x.result === SUCCEEDED);
  const current = good[0];
  const bad = deps.find((x) => x.result !== null && x.result !== SUCCEEDED);
  const running = deps.filter((x) => x.result === null);
  return html`<section class="card" aria-labelledby="env-${env}">
<h2 id="env-${env}">${env}</h2>
<dl class="facts">
<dt>Current release</dt><dd>${current ? release(current, await switchedAt(d, current)) : 'none deployed yet'}</dd>
<dt>Previous good</dt><dd>${release(good[1])}</dd>
<dt>Last bad</dt><dd>${bad ? html`${release(bad)} ${badge(bad.result === ROLLED_BACK ? 'rolled-back' : 'failed', bad.result ?? '')} ${when(bad.finishedAt)}` : NONE}</dd>
<dt>In progress</dt><dd>${running.length === 0 ? 'nothing' : running.map((r) => html`${release(r)} on ${r.runner ?? 'no runner yet'} since ${ago(now - r.startedAt)} `)}</dd>
</dl>
${lockFacts(lock, now)}
${table<QueuedWaiter>(`Queue for ${env}`, [
    { label: 'Position', cell: (w) => w.position, cls: 'num' },
    { label: 'Runner', cell: (w) => w.runner ?? NONE },
    { label: 'For', cell: (w) => w.description },
    { label: 'Waiting', cell: (w) => ago(now - w.enqueuedAt), cls: 'num' },
  ], lock.queue, 'Nobody waits for this lock.')}
</section>`;
}

async function render(d: DashboardContext): Promise<Html> {
  const now = d.now();
  const envs = Object.keys(d.config.environments).sort();
  if (envs.length === 0) return html`<p class="empty">No environments are configured (environments in pitcrew.yml).</p>`;
  const cards: Html[] = [];
  for (const env of envs) cards.push(await envCard(d, env, now));
  return html`<div class="cardrow">${cards}</div>`;
}

export const environmentsView: View = { title: () => 'Environments', nav: 'environments', render };

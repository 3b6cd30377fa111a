/**
 * The registry of dashboard views by name: the page routes, the fragment
 * routes and the event stream all look a view up here, and an unknown name
 * is answered with the list of known ones.
 */
import type { Query, View } from './context.js';
import { deploymentView } from './pages/deployment.js';
import { deploymentsView } from './pages/deployments.js';
import { environmentsView } from './pages/environments.js';
import { fleetView } from './pages/fleet.js';
import { incidentsView } from './pages/incidents.js';
import { objectivesView } from './pages/objectives.js';

export const VIEWS: ReadonlyMap<string, View> = new Map([
  ['fleet', fleetView],
  ['environments', environmentsView],
  ['deployments', deploymentsView],
  ['deployment', deploymentView],
  ['incidents', incidentsView],
  ['objectives', objectivesView],
]);

/** The query keys views read; anything else is dropped before a view sees it. */
const KEYS = ['env', 'result', 'runner', 'id'] as const;

export function viewQuery(raw: Record<string, string | undefined>): Query {
  const q: Record<string, string> = {};
  for (const k of KEYS) {
    const v = raw[k];
    if (typeof v === 'string' && v !== '') q[k] = v.slice(0, 200);
  }
  return q;
}

/** `/fragments/NAME?...` and `/events?view=NAME&...` for a view and its query. */
export function liveUrls(name: string, q: Query): { fragment: string; events: string } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, v);
  const rest = params.toString();
  const events = new URLSearchParams({ view: name });
  for (const [k, v] of params) events.set(k, v);
  return { fragment: `/fragments/${name}${rest ? `?${rest}` : ''}`, events: `/events?${events.toString()}` };
}

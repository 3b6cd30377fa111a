/**
 * What every dashboard view reads: the configuration, the store and the
 * fleet monitor, and the clock. Views only read; they never write the store.
 */
import type { Config } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import type { FleetMonitor } from '../fleet-monitor.js';
import type { Html } from './html.js';

export interface DashboardContext {
  config: Config;
  store: Store;
  fleet: FleetMonitor;
  now: () => number;
}

/** A view's query string, one value per key. */
export type Query = Readonly<Record<string, string | undefined>>;

/** A page's live part: rendered whole for the page and again for each refresh. */
export interface View {
  /** The page's <title> and <h1>. */
  title(q: Query): string;
  /** The nav entry it belongs to. */
  nav: NavKey;
  render(d: DashboardContext, q: Query): Promise<Html>;
  /** Shown above the live part and not refreshed (filters). */
  intro?(d: DashboardContext, q: Query): Html;
}

export type NavKey = 'fleet' | 'environments' | 'deployments' | 'incidents' | 'objectives';

/** A view asked for something that does not exist (answered 404). */
export class ViewNotFound extends Error {
  override readonly name = 'ViewNotFound';
}

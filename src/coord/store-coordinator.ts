/**
 * DeployCoordinator backed by the store named in config.server.database
 * (store-direct mode). Reads the clock through a port so tests need no sleeps.
 * Must never keep state of its own: every answer comes from the store.
 */
import { openIncidentOnce, resolveIncidentsWhen } from '../incidents/index.js';
import type { Store } from '../store/index.js';
import type { DeployCoordinator } from './coordinator.js';

export interface StoreCoordinatorOptions {
  now?: () => number;
  /** How long a waiter may go without polling before it counts as dead. */
  waiterLeaseMs?: number;
  /** Close the store with the coordinator (true when the coordinator opened it). */
  ownsStore?: boolean;
}

export const DEFAULT_WAITER_LEASE_MS = 30_000;

export function storeCoordinator(store: Store, opts: StoreCoordinatorOptions = {}): DeployCoordinator {
  const now = opts.now ?? (() => Date.now());
  const waiterLease = opts.waiterLeaseMs ?? DEFAULT_WAITER_LEASE_MS;
  return {
    enqueue: (env, waiter) => store.enqueueLock(env, waiter, now(), waiterLease),
    poll: (env, owner) => store.pollLock(env, owner, now(), waiterLease),
    renew: (env, owner, token, ttlMs) => store.renewLock(env, owner, token, now(), ttlMs),
    release: (env, owner) => store.releaseLock(env, owner),
    forceRelease: (env, actor, reason) => store.forceReleaseLock(env, actor, reason, now()),
    lockStatus: (env) => store.lockStatus(env, now()),
    createDeployment: (d) => store.createDeployment(d),
    updateDeployment: (id, patch) => store.updateDeployment(id, patch),
    listDeployments: (filter) => store.listDeployments(filter),
    appendJournal: (events) => store.appendJournalEvents(events),
    listJournal: (id) => store.listJournal(id),
    openIncident: async (req) => {
      const { incident, opened } = await openIncidentOnce(store, req);
      return { id: incident.id, opened };
    },
    resolveIncidents: async (condition, at, note) => (await resolveIncidentsWhen(store, condition, at, note)).length,
    close: async () => {
      if (opts.ownsStore === true) await store.close();
    },
  };
}

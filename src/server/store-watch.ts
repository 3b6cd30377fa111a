/**
 * Keeps the server's deploy metrics from the store, since deploys may run
 * store-direct from CI jobs that share the server's database and never call
 * the server. Once a second it reads the newest deployments, counts each one
 * that finished since the last look (result, duration, lock wait, rollbacks),
 * and sets each configured environment's lock gauges and the open-incident
 * count.
 *
 * Must never count a deployment twice: at start every deployment already
 * finished is marked as seen, so a restart does not count it again. Every
 * tick makes a bounded set of queries: one for the deployments, one journal
 * read per newly finished deployment, one lock status per environment, one
 * for the open incidents.
 */
import type { Deployment, Store } from '../store/index.js';
import type { ServerMetrics as CatalogueMetrics } from '../observability/server-metrics.js';
import { isRollback, isRollbackFailure, outcomeOf } from '../report/outcomes.js';
import { defaultScheduler, type Log, type Scheduler } from './fleet-monitor.js';
import { planKind, resultLabel, rollbackReason } from './store-watch-reason.js';

export interface StoreWatchOptions {
  store: Store;
  metrics: CatalogueMetrics;
  /** The configured environments, for the lock gauges. */
  environments: readonly string[];
  now: () => number;
  log: Log;
  /** Default 1 s. */
  everyMs?: number;
  schedule?: Scheduler;
  /** How many of the newest deployments each tick reads. Default 200. */
  window?: number;
}

export interface StoreWatch {
  /** Marks every finished deployment as seen, takes a first reading, and starts the timer. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One reading after any running one; the timer reads the same way, tests may call this. */
  tick(): Promise<void>;
}

export function createStoreWatch(opts: StoreWatchOptions): StoreWatch {
  const { store, metrics: m, now, log } = opts;
  const window = opts.window ?? 200;
  /** Finished deployments already counted (or present at start), among the newest `window`. */
  let seen = new Set<string>();
  /** False until a first reading succeeded: until then, finished deployments are only marked as seen. */
  let primed = false;
  let running: Promise<void> | undefined;
  let stopTimer: (() => void) | undefined;

  async function count(d: Deployment): Promise<void> {
    const environment = d.environment;
    m.deploymentsTotal.inc({ environment, result: resultLabel(d.result) });
    if (d.finishedAt !== null) m.deploymentDuration.observe({ environment }, Math.max(0, (d.finishedAt - d.startedAt) / 1000));
    if (d.lockWaitMs !== null) m.deployLockWait.observe({ environment }, Math.max(0, d.lockWaitMs / 1000));
    if (isRollback(d.result)) {
      m.rollbacksTotal.inc({ environment, reason: rollbackReason(d, await store.listJournal(d.id)) });
      if (isRollbackFailure(d.result)) m.rollbackFailuresTotal.inc({ environment });
    } else if (outcomeOf(d.result) === 'success' && planKind(await store.listJournal(d.id)) === 'rollback') {
      m.rollbacksTotal.inc({ environment, reason: 'manual' });
    }
  }

  async function readDeployments(): Promise<void> {
    const recent = await store.listDeployments({ limit: window });
    const next = new Set<string>();
    // Oldest first, so counters rise in the order deploys finished.
    for (const d of [...recent].reverse()) {
      if (d.result === null && d.finishedAt === null) continue;
      next.add(d.id);
      if (primed && !seen.has(d.id)) await count(d);
      // Recorded as it is counted, so a store error half-way never counts it again.
      seen.add(d.id);
    }
    // A deployment that left the window never comes back into it, so forgetting it is safe.
    seen = next;
    primed = true;
  }

  async function readGauges(): Promise<void> {
    const at = now();
    for (const environment of opts.environments) {
      const status = await store.lockStatus(environment, at);
      m.deployLockHeld.set({ environment }, status.holder !== null && !status.holder.expired ? 1 : 0);
      m.deployQueueLength.set({ environment }, status.queue.length);
    }
    m.incidentsOpen.set((await store.listIncidents('open', 10_000)).length);
  }

  async function once(): Promise<void> {
    try {
      await readDeployments();
      await readGauges();
    } catch (err) {
      log('reading deploy metrics from the store failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Readings run one after another, never two at once. */
  function run(): Promise<void> {
    const mine: Promise<void> = (running ?? Promise.resolve()).then(once).finally(() => {
      if (running === mine) running = undefined;
    });
    running = mine;
    return mine;
  }

  return {
    async start() {
      await run();
      stopTimer = (opts.schedule ?? defaultScheduler)(() => {
        // A slow store skips ticks instead of piling them up.
        if (running === undefined) void run();
      }, opts.everyMs ?? 1000);
    },
    async stop() {
      stopTimer?.();
      stopTimer = undefined;
      await running;
    },
    tick: () => run(),
  };
}

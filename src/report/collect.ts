/**
 * Reads what the report needs from the store (store-direct mode): the
 * deployments, incidents and failover audit entries of the window, every
 * runner with its full state history, and the environments' locks. Reads
 * only; never writes to the store.
 */
import type { Store } from '../store/index.js';
import { FAILOVER_ACTIONS, type ReportInput, type ReportWindow, type RunnerRecord } from './compute.js';

export async function collectReportInput(store: Store, window: ReportWindow): Promise<ReportInput> {
  const env = window.environment ?? undefined;
  const deployments = await store.listDeployments({ since: window.from, environment: env });
  const incidents = (await store.listIncidents('all')).filter((i) => i.openedAt >= window.from);
  const audit = (await Promise.all(FAILOVER_ACTIONS.map((action) => store.listAudit({ since: window.from, action })))).flat();
  const runners: RunnerRecord[] = [];
  for (const r of await store.listRunners()) {
    if (env !== undefined && !r.environments.includes(env)) continue;
    runners.push({ name: r.name, environments: r.environments, state: r.state, history: await store.runnerStateHistory(r.name, 0) });
  }
  const environments = env !== undefined ? [env] : [...new Set([...deployments.map((d) => d.environment), ...runners.flatMap((r) => r.environments)])].sort();
  const locks = await Promise.all(environments.map((e) => store.lockStatus(e, window.to)));
  return { window, deployments, incidents, audit, runners, locks };
}

/**
 * The environment's deployments in the store: one left unfinished (started,
 * never finished, its lock no longer held), and how the last one ended.
 */
import type { Deployment } from '../../store/index.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { ago, iso, lockView, why } from './shared.js';

const unfinishedMeta = { id: 'deploy.unfinished', title: 'no interrupted deploy in the journal' };

export const deployUnfinished: DoctorCheck = {
  ...unfinishedMeta,
  scope: 'environment',
  async run(s) {
    const env = s.environment ?? '';
    const store = await s.store();
    if (store.kind !== 'ok') return skip(unfinishedMeta, `the store is needed for the journal: ${why(store)}`);
    const open = (await store.value.listDeployments({ environment: env, limit: 50 })).filter((d) => d.finishedAt === null);
    if (open.length === 0) return result(unfinishedMeta, 'pass', ['every deployment in the journal has finished']);
    const lock = await lockView(s);
    const holder = lock && !('error' in lock) ? lock.holder : null;
    const live = (d: Deployment) => holder !== null && !holder.expired && (d.fencingToken === null || d.fencingToken === holder.fencingToken);
    const interrupted = open.filter((d) => !live(d));
    const running = open.filter(live);
    const evidence: string[] = running.map((d) => `deployment ${d.id} (${d.version}) is running under the live lock, token ${d.fencingToken ?? '?'}`);
    for (const d of interrupted) {
      const journal = await store.value.listJournal(d.id);
      const last = journal[journal.length - 1];
      evidence.push(
        `deployment ${d.id} (${d.version}, runner ${d.runner ?? '?'}) started ${iso(d.startedAt)}, never finished; ` +
          (last ? `last journal event #${last.seq}: ${last.step}${last.target ? ` on ${last.target}` : ''} ${last.phase} ${ago(s.now() - last.at)}` : 'no journal events'),
      );
    }
    if (interrupted.length === 0) return result(unfinishedMeta, 'pass', evidence);
    return result(unfinishedMeta, 'fail', evidence, {
      cause: 'a deploy was interrupted (its deployer died and its lock is gone): targets may be half old, half new',
      fix: `pitcrew recover ${env}`,
      runbook: RUNBOOKS.interruptedDeploy,
    });
  },
};

const lastMeta = { id: 'deploy.last', title: 'last finished deploy' };

export const deployLast: DoctorCheck = {
  ...lastMeta,
  scope: 'environment',
  async run(s) {
    const env = s.environment ?? '';
    const store = await s.store();
    if (store.kind !== 'ok') return skip(lastMeta, `the store is needed for deployments: ${why(store)}`);
    const last = (await store.value.listDeployments({ environment: env, limit: 50 })).find((d) => d.finishedAt !== null);
    if (!last) return skip(lastMeta, `no finished deployment of ${env} in the store`);
    const outcome = `${last.result ?? last.state}`;
    const evidence = [`deployment ${last.id} (${last.version}) ended ${outcome} ${iso(last.finishedAt ?? 0)}${last.error ? `: ${last.error}` : ''}`];
    if (/rollback.?fail|human/i.test(outcome) || /rollback.?fail/i.test(last.state)) {
      return result(lastMeta, 'fail', evidence, { cause: 'a rollback did not complete: targets may be on different releases', fix: `pitcrew status ${env} && pitcrew recover ${env}`, runbook: RUNBOOKS.rollbackFailed });
    }
    if (/^(succeeded|success|ok)$/i.test(outcome)) return result(lastMeta, 'pass', evidence);
    return result(lastMeta, 'warn', evidence, { cause: 'the last deploy failed and was rolled back', fix: `pitcrew report --env ${env}`, runbook: RUNBOOKS.deployFailed });
  },
};

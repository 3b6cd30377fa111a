/**
 * Finishes deployments of an environment that a deployer left unfinished
 * (killed, kill -9, runner died, lease lost): reads each one's journal and
 * rolls every captured target back to its captured release, or, when the
 * journal shows the deploy committed, completes it. Runs only under the
 * environment's lease, writing to the old deployment's journal with the new
 * fencing token. It must never guess: a target the journal never captured
 * is left alone.
 */
import type { Deployment } from '../coord/index.js';
import type { RunContext } from './engine-context.js';
import { rollbackTargets } from './engine-rollback.js';
import { Journal, readJournal } from './journal.js';
import { newTargetReport, type RecoveryReport, type TargetReport } from './report.js';

/**
 * Deployment states that still need recovery. A deploy recovers `running`
 * ones by itself; `rollback-failed` ones only `pitcrew recover` retries, so a
 * human can fix forward with a new deploy instead of being blocked by them.
 */
export const UNFINISHED_STATES = ['running', 'rollback-failed'];
export const AUTO_RECOVERED_STATES = ['running'];

export async function unfinishedDeployments(ctx: Pick<RunContext, 'envName' | 'ports'>, states: string[] = UNFINISHED_STATES): Promise<Deployment[]> {
  const all = await ctx.ports.coord.listDeployments({ environment: ctx.envName, limit: 200 });
  return all.filter((d) => states.includes(d.state)).reverse();
}

async function complete(ctx: RunContext, releaseId: string, committed: string[], reports: Map<string, TargetReport>): Promise<boolean> {
  let ok = true;
  for (const name of committed) {
    const report = reports.get(name) ?? newTargetReport(name);
    reports.set(name, report);
    const target = ctx.targets.find((t) => t.name === name);
    if (target === undefined) continue;
    try {
      const state = await target.session.inspect();
      if (state.current !== releaseId) {
        await ctx.journal.step('switch', name, JSON.stringify({ from: state.current ?? null, to: releaseId }), () =>
          target.session.switchTo(releaseId, ctx.journal.fencingToken),
        );
      }
      await ctx.journal.step('mark', name, 'good', () => target.session.markRelease(releaseId, 'good'));
      report.switched = 'ok';
      report.final = releaseId;
    } catch (err) {
      ok = false;
      report.detail = (err as Error).message;
    }
  }
  return ok;
}

/** Recovers one deployment with the lease held in `base`; returns what happened. */
export async function recoverDeployment(base: RunContext, dep: Deployment): Promise<RecoveryReport> {
  const journal = new Journal(base.ports.coord, dep.id, base.lease.fencingToken, base.now, base.ports.mask);
  const ctx: RunContext = { ...base, journal };
  const reading = readJournal(await base.ports.coord.listJournal(dep.id));
  const releaseId = reading.releaseId ?? `${dep.version}-${dep.digest.slice(0, 12)}`;
  const reports = new Map<string, TargetReport>();
  await journal.write('recover', null, 'started', JSON.stringify({ previousState: dep.state, committed: reading.committed !== undefined }));
  let result: RecoveryReport['result'];
  if (reading.committed !== undefined && dep.state === 'running') {
    ctx.ports.say(`deployment ${dep.id} of ${dep.version} was committed before it stopped: completing it`);
    result = (await complete(ctx, releaseId, reading.committed, reports)) ? 'completed' : 'rollback-failed';
  } else {
    ctx.ports.say(`deployment ${dep.id} of ${dep.version} did not finish: rolling back every target it touched`);
    const ok = await rollbackTargets(ctx, { releaseId, captured: reading.captured, switchStarted: reading.switchStarted }, reports);
    for (const name of reading.staged) {
      const t = ctx.targets.find((x) => x.name === name);
      if (t && reading.captured.get(name) !== releaseId) await t.session.markRelease(releaseId, 'bad').catch(() => undefined);
    }
    result = ok ? 'rolled-back' : 'rollback-failed';
  }
  const done = result !== 'rollback-failed';
  await journal.write('recover', null, done ? 'succeeded' : 'failed', result);
  if (done) await journal.write('finish', null, 'succeeded', result);
  await ctx.ports.coord.updateDeployment(dep.id, {
    state: result === 'completed' ? 'succeeded' : result === 'rolled-back' ? 'interrupted' : 'rollback-failed',
    result,
    finishedAt: ctx.now(),
    error: done ? (dep.error ?? 'interrupted; recovered by a later run') : 'recovery could not put every target back',
  });
  return { deploymentId: dep.id, result, targets: [...reports.values()] };
}

/** Recovers every unfinished deployment of the environment, oldest first; stops at the first that fails. */
export async function recoverUnfinished(ctx: RunContext, states: string[] = UNFINISHED_STATES): Promise<RecoveryReport[]> {
  const out: RecoveryReport[] = [];
  for (const dep of await unfinishedDeployments(ctx, states)) {
    const r = await recoverDeployment(ctx, dep);
    out.push(r);
    if (r.result === 'rollback-failed') break;
  }
  return out;
}

/**
 * What follows a committed deploy: on every committed target, mark the
 * release good and prune its old releases (one request per target over
 * ssh), then record the deployment as succeeded; a target put back alone is
 * only pruned, while the record is written. A prune always keeps `current`,
 * the release captured before the deploy and the newest other good release;
 * one that fails is reported, never undoes the deploy. Must never prune
 * before the deploy is committed.
 */
import { deploySucceeded } from '../incidents/index.js';
import type { RunContext } from './engine-context.js';
import type { DeployReport } from './report.js';
import type { TransactionState } from './engine-transaction.js';
import type { Outcome } from './transports/transport.js';

type Target = RunContext['targets'][number];

export async function finishSuccess(ctx: RunContext, releaseId: string, committed: string[], st: TransactionState, report: DeployReport): Promise<void> {
  const keep = ctx.environment.keepReleases;
  // prune itself spares current and the newest good release; the captured one is ours to name.
  const protectOn = (t: Target): string[] => {
    const captured = st.captured.get(t.name);
    return typeof captured === 'string' ? [captured] : [];
  };
  const pruned = (t: Target, removed: Outcome<string[]>): void => {
    if (removed.status === 'failed') ctx.ports.say(`pruning old releases on ${t.name} failed (the deploy stands): ${removed.error.message}`);
    else if (removed.value.length > 0) report.pruned[t.name] = removed.value;
  };
  // A target put back alone after its checks failed is only pruned, in the background.
  const prunes = ctx.targets.filter((t) => !committed.includes(t.name)).map(async (t) => {
    const protect = protectOn(t);
    try {
      const removed = await ctx.journal.step('prune', t.name, JSON.stringify({ keep, protect }), () => t.session.prune(keep, protect), (r) => r.join(', ') || 'nothing');
      pruned(t, { status: 'ok', value: removed });
    } catch (err) {
      pruned(t, { status: 'failed', error: err as Error });
    }
  });
  // Every committed target on its own, marked and then pruned in one go (one request over ssh; pruning
  // after the mark keeps the release just marked good), before the record is closed. One slow host must not
  // make the others wait in line.
  await Promise.all(ctx.targets.filter((t) => committed.includes(t.name)).map(async (t) => {
    const { mark, prune } = await markAndPrune(ctx, t, releaseId, keep, protectOn(t));
    if (mark.status === 'failed') ctx.ports.say(`could not mark ${releaseId} good on ${t.name}: ${mark.error.message}`);
    pruned(t, prune);
  }));
  try {
    // The journal is closed before the record says succeeded: a deployer killed in between leaves a
    // `running` record that recovery completes, never a finished record with an open journal.
    await ctx.journal.write('finish', null, 'succeeded', 'succeeded');
    await ctx.ports.coord.updateDeployment(ctx.journal.deploymentId, { state: 'succeeded', result: 'succeeded', finishedAt: ctx.now() });
    await deploySucceeded(ctx.ports.coord, ctx.envName, ctx.journal.deploymentId, ctx.now(), ctx.ports.say);
  } finally {
    await Promise.all(prunes);
  }
}

/**
 * The mark and the prune of one target as two journaled steps that run
 * together: both `started` entries are written (in one journal write) before
 * the target is touched, and each step's own outcome after. As with
 * `Journal.step`, a step whose `started` entry cannot be written does not
 * run, and one whose `succeeded` entry cannot be written counts as failed.
 */
async function markAndPrune(ctx: RunContext, t: Target, releaseId: string, keep: number, protect: string[]): Promise<{ mark: Outcome<void>; prune: Outcome<string[]> }> {
  try {
    await Promise.all([ctx.journal.write('mark', t.name, 'started', 'good'), ctx.journal.write('prune', t.name, 'started', JSON.stringify({ keep, protect }))]);
  } catch (err) {
    const failed: Outcome<never> = { status: 'failed', error: err as Error };
    return { mark: failed, prune: failed };
  }
  let result: { mark: Outcome<void>; prune: Outcome<string[]> };
  try {
    result = await t.session.markAndPrune(releaseId, 'good', keep, protect);
  } catch (err) {
    const failed: Outcome<never> = { status: 'failed', error: err as Error };
    result = { mark: failed, prune: failed };
  }
  const close = async <T>(step: 'mark' | 'prune', outcome: Outcome<T>, detail: (value: T) => string | null): Promise<Outcome<T>> => {
    if (outcome.status === 'failed') {
      await ctx.journal.write(step, t.name, 'failed', outcome.error.message).catch(() => undefined);
      return outcome;
    }
    return ctx.journal.write(step, t.name, 'succeeded', detail(outcome.value)).then(() => outcome, (error: Error): Outcome<T> => ({ status: 'failed', error }));
  };
  const [mark, prune] = await Promise.all([close('mark', result.mark, () => null), close('prune', result.prune, (r) => r.join(', ') || 'nothing')]);
  return { mark, prune };
}

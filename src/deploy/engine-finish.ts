/**
 * What follows a committed deploy: mark the release good on every committed
 * target and prune its old releases, target by target, while the deployment
 * is recorded as succeeded. A prune always keeps `current`, the release
 * captured before the deploy and the newest other good release; one that
 * fails is reported, never undoes the deploy. Must never prune before the
 * deploy is committed.
 */
import { deploySucceeded } from '../incidents/index.js';
import type { RunContext } from './engine-context.js';
import type { DeployReport } from './report.js';
import type { TransactionState } from './engine-transaction.js';

export async function finishSuccess(ctx: RunContext, releaseId: string, committed: string[], st: TransactionState, report: DeployReport): Promise<void> {
  const keep = ctx.environment.keepReleases;
  const prune = async (t: RunContext['targets'][number]): Promise<void> => {
    try {
      // prune itself spares current and the newest good release; the captured one is ours to name.
      const captured = st.captured.get(t.name);
      const protect = typeof captured === 'string' ? [captured] : [];
      const removed = await ctx.journal.step('prune', t.name, JSON.stringify({ keep, protect }), () => t.session.prune(keep, protect), (r) => r.join(', ') || 'nothing');
      if (removed.length > 0) report.pruned[t.name] = removed;
    } catch (err) {
      ctx.ports.say(`pruning old releases on ${t.name} failed (the deploy stands): ${(err as Error).message}`);
    }
  };
  // Every target on its own: marked (if committed), then pruned, while the record is closed. One slow
  // host must not make the others wait in line, and pruning after its mark keeps the release just
  // marked good (the newest good one is never pruned).
  const perTarget = Promise.all(ctx.targets.map(async (t) => {
    if (committed.includes(t.name)) {
      await ctx.journal.step('mark', t.name, 'good', () => t.session.markRelease(releaseId, 'good')).catch((err: Error) => {
        ctx.ports.say(`could not mark ${releaseId} good on ${t.name}: ${err.message}`);
      });
    }
    return { pruned: prune(t) };
  }));
  // Wrapped so the marks are awaited here, the prunes only at the end.
  const prunes = (await perTarget).map((x) => x.pruned);
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

/**
 * Puts targets back on the release captured before a deploy: switch back
 * (with the lease's fencing token), re-run the restart step and the health
 * checks, and say per target whether that worked. Used by a failing deploy
 * and by recovery alike. It keeps going when one target fails, so every
 * other target still gets back; it never moves a target anywhere but to its
 * captured release.
 */
import { StaleFencingTokenError } from '../store/index.js';
import { describeResult, runChecks } from './checks/index.js';
import { checkFailure, checksDetail, checksPassed } from './check-journal.js';
import type { RunContext } from './engine-context.js';
import { FenceError } from './errors.js';
import { newTargetReport, type TargetReport } from './report.js';
import { journaledStep } from './steps.js';

/** Thrown when this deployer lost the right to touch the environment. */
export class LockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockLostError';
  }
}

export function isLockLoss(err: unknown): boolean {
  return err instanceof FenceError || err instanceof StaleFencingTokenError || err instanceof LockLostError;
}

export interface RollbackPlan {
  /** The release being backed out of (the one deployed). */
  releaseId: string;
  /** Release per target before the deploy; targets absent here were never captured and are left alone. */
  captured: Map<string, string | null>;
  /** Targets whose switch started in the run being undone. */
  switchStarted: Set<string>;
}

async function bestEffort(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isLockLoss(err)) throw err;
  }
}

async function rollbackOne(ctx: RunContext, plan: RollbackPlan, name: string, report: TargetReport): Promise<void> {
  const target = ctx.targets.find((t) => t.name === name);
  const captured = plan.captured.get(name) ?? null;
  if (target === undefined) {
    report.rolledBack = 'failed';
    report.detail = `target ${name} is in the journal but no longer in the configuration; put it back on ${captured ?? 'its old release'} by hand`;
    return;
  }
  const { journal } = ctx;
  try {
    const state = await target.session.inspect();
    let touched = plan.switchStarted.has(name);
    if ((state.current ?? null) !== captured) {
      if (captured === null) {
        report.rolledBack = 'failed';
        report.final = state.current ?? null;
        report.detail = `${name} had no release before this deploy, so there is nothing to switch back to; it stays on ${state.current}`;
        await bestEffort(journal.write('rollback.switch', name, 'failed', report.detail));
        return;
      }
      await journal.step('rollback.switch', name, JSON.stringify({ from: state.current ?? null, to: captured }), () =>
        target.session.switchTo(captured, journal.fencingToken),
      );
      touched = true;
    }
    if (touched && captured !== null) {
      const restart = await journaledStep(journal, 'rollback.restart', name, target.session, ctx.environment.steps.restart, { cwd: 'current' });
      report.restart = restart.status;
      if (restart.status !== 'ok') throw new Error(`restart after rollback failed on ${name}: ${restart.detail}`);
      const checks = await journal.step('rollback.health', name, null, () => runChecks(ctx.environment.healthChecks, target, ctx.ports.checkPorts), checksDetail,
        checksPassed);
      report.rollbackChecks = checks;
      for (const c of checks) ctx.ports.say(`rollback health check on ${name}: ${describeResult(c)}`);
      const bad = checks.find((c) => c.status !== 'passed');
      if (bad) throw new Error(`health check ${checkFailure(bad)} on ${name} after the rollback: ${bad.detail}`);
    }
    report.final = (await target.session.inspect()).current ?? null;
    report.rolledBack = report.final === captured ? 'ok' : 'failed';
    if (report.rolledBack === 'failed') report.detail = `${name} is on ${report.final}, expected ${captured}`;
  } catch (err) {
    if (isLockLoss(err)) throw err;
    report.rolledBack = 'failed';
    report.detail = (err as Error).message;
    report.final = (await target.session.inspect().catch(() => undefined))?.current ?? null;
  }
}

/**
 * Rolls every captured target back, in parallel; returns true when all of them
 * are on their captured release and healthy. Throws LockLostError (or a
 * fencing error) only when another deployer now owns the environment.
 */
export async function rollbackTargets(ctx: RunContext, plan: RollbackPlan, reports: Map<string, TargetReport>): Promise<boolean> {
  const names = [...plan.captured.keys()];
  ctx.ports.say(`rolling back ${names.length} target${names.length === 1 ? '' : 's'} of ${ctx.envName} from ${plan.releaseId}`);
  await bestEffort(ctx.journal.write('rollback', null, 'started', JSON.stringify({ from: plan.releaseId, targets: names })));
  const results = await Promise.allSettled(
    names.map(async (name) => {
      const report = reports.get(name) ?? newTargetReport(name);
      report.captured = plan.captured.get(name) ?? null;
      reports.set(name, report);
      await rollbackOne(ctx, plan, name, report);
      ctx.ports.say(
        report.rolledBack === 'ok'
          ? `rolled back ${name} to ${report.captured}`
          : `ROLLBACK FAILED on ${name}: ${report.detail ?? 'unknown reason'}`,
      );
    }),
  );
  const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (lost) throw lost.reason;
  const ok = names.every((n) => reports.get(n)?.rolledBack === 'ok');
  await bestEffort(ctx.journal.write('rollback', null, ok ? 'succeeded' : 'failed', ok ? null : names.filter((n) => reports.get(n)?.rolledBack !== 'ok').join(', ')));
  return ok;
}

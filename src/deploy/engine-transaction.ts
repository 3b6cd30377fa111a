/**
 * The forward half of a deploy, under a held lease: capture each target's
 * current release, stage the new one everywhere, migrate once, switch in
 * batches (restart and health checks per target), run the smoke tests, and
 * commit. Each step is journaled before and after it runs. Any failure or
 * interruption is thrown as a StepFailure for engine.ts to roll back; this
 * file never rolls back itself.
 */
import { describeResult, runChecks } from './checks/index.js';
import { checkFailure, checksDetail, checksPassed } from './check-journal.js';
import { plural, type RunContext } from './engine-context.js';
import { LockLostError } from './engine-rollback.js';
import type { CheckTarget } from './checks/index.js';
import type { DeployReport, TargetReport } from './report.js';
import { journaledStep } from './steps.js';

export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

export interface TransactionPlan {
  releaseId: string;
  version: string;
  sha256: string;
  /** Absent for a rollback to a release that is already staged everywhere. */
  artifact?: string;
  kind: 'deploy' | 'rollback';
}

export interface TransactionState {
  captured: Map<string, string | null>;
  switchStarted: Set<string>;
  staged: Set<string>;
  reports: Map<string, TargetReport>;
  /** Targets that failed within batch.maxFailPercent and were put back alone. */
  tolerated: Set<string>;
}

export function checkpoint(ctx: RunContext): void {
  if (ctx.lease.lost) throw new LockLostError(`the lease on ${ctx.envName} was lost (not renewed in time); another deployer may hold it now`);
  const signal = ctx.ports.signal;
  if (signal?.aborted) throw new StepFailure(`interrupted${typeof signal.reason === 'string' ? ` by ${signal.reason}` : ''}`);
}

/** Runs `fn` on every target at once and waits for all of them, so nothing is still in flight when a failure is handled. */
async function each<T>(targets: CheckTarget[], fn: (t: CheckTarget) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(targets.map(fn));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function capture(ctx: RunContext, plan: TransactionPlan, st: TransactionState): Promise<void> {
  await each(ctx.targets, async (t) => {
    const state = await ctx.journal.step('capture', t.name, null, () => t.session.inspect(), (s) => JSON.stringify({ current: s.current ?? null, fence: s.fence }));
    st.captured.set(t.name, state.current ?? null);
    st.reports.get(t.name)!.captured = state.current ?? null;
    if (plan.artifact === undefined && !state.releases.includes(plan.releaseId)) {
      throw new StepFailure(`release ${plan.releaseId} is not staged on ${t.name} (it has ${state.releases.join(', ') || 'no releases'})`);
    }
  });
}

async function stage(ctx: RunContext, plan: TransactionPlan, st: TransactionState): Promise<void> {
  const artifact = plan.artifact;
  if (artifact === undefined) return;
  ctx.ports.say(`staging ${plan.releaseId} on ${plural(ctx.targets.length, 'target')}`);
  await each(ctx.targets, async (t) => {
    const report = st.reports.get(t.name)!;
    st.staged.add(t.name);
    try {
      const r = await ctx.journal.step('stage', t.name, plan.releaseId, () => t.session.stage(plan.releaseId, artifact, plan.sha256), (r) => (r.created ? 'created' : 'already there'));
      report.staged = 'ok';
      if (!r.created) ctx.ports.say(`${plan.releaseId} is already staged on ${t.name} with the same digest`);
    } catch (err) {
      report.staged = 'failed';
      throw new StepFailure(`staging on ${t.name} failed: ${(err as Error).message}`);
    }
    const install = await journaledStep(ctx.journal, 'install', t.name, t.session, ctx.environment.steps.install, { cwd: 'release', release: plan.releaseId });
    if (install.status !== 'ok') throw new StepFailure(`install step failed on ${t.name}: ${install.detail}`);
  });
  checkpoint(ctx);
  const first = ctx.targets[0];
  if (ctx.environment.steps.migrate.run.length > 0) {
    ctx.ports.say(`migrating on ${first.name}`);
    const m = await journaledStep(ctx.journal, 'migrate', first.name, first.session, ctx.environment.steps.migrate, { cwd: 'release', release: plan.releaseId });
    if (m.status !== 'ok') throw new StepFailure(`migrate step failed on ${first.name}: ${m.detail}`);
  }
}

/** Switch, restart, health checks on one target; returns a failure message or undefined. */
async function switchOne(ctx: RunContext, plan: TransactionPlan, st: TransactionState, t: CheckTarget): Promise<string | undefined> {
  const report = st.reports.get(t.name)!;
  st.switchStarted.add(t.name);
  try {
    const switched = await ctx.journal.step('switch', t.name, JSON.stringify({ from: st.captured.get(t.name) ?? null, to: plan.releaseId }), () =>
      t.session.switchTo(plan.releaseId, ctx.journal.fencingToken),
    );
    // What the target said as it switched; a rollback later sets it again from the target.
    report.final = switched.current;
  } catch (err) {
    report.switched = 'failed';
    throw err;
  }
  report.switched = 'ok';
  const restart = await journaledStep(ctx.journal, 'restart', t.name, t.session, ctx.environment.steps.restart, { cwd: 'current' });
  report.restart = restart.status;
  checkpoint(ctx);
  if (restart.status !== 'ok') return `restart step failed on ${t.name}: ${restart.detail}`;
  report.checks = await ctx.journal.step('health', t.name, null, () => runChecks(ctx.environment.healthChecks, t, { ...ctx.ports.checkPorts, signal: ctx.ports.signal }), checksDetail,
    checksPassed);
  for (const c of report.checks) ctx.ports.say(`health check on ${t.name}: ${describeResult(c)}`);
  checkpoint(ctx);
  const bad = report.checks.find((c) => c.status !== 'passed');
  return bad ? `health check ${checkFailure(bad)} on ${t.name}: ${bad.detail}` : undefined;
}

async function switchBatches(ctx: RunContext, plan: TransactionPlan, st: TransactionState, putBack: (name: string) => Promise<void>): Promise<void> {
  const size = ctx.environment.batch.size;
  const allowed = Math.floor((ctx.targets.length * ctx.environment.batch.maxFailPercent) / 100);
  const batches: CheckTarget[][] = [];
  for (let i = 0; i < ctx.targets.length; i += size) batches.push(ctx.targets.slice(i, i + size));
  for (const [i, batch] of batches.entries()) {
    checkpoint(ctx);
    ctx.ports.say(`switching batch ${i + 1}/${batches.length}: ${batch.map((t) => t.name).join(', ')}`);
    const outcomes = await each(batch, async (t) => ({ name: t.name, failure: await switchOne(ctx, plan, st, t) }));
    for (const { name, failure } of outcomes) {
      if (failure === undefined) continue;
      if (st.tolerated.size + 1 > allowed) throw new StepFailure(failure);
      ctx.ports.say(`${failure} — within batch.maxFailPercent (${ctx.environment.batch.maxFailPercent}%), putting ${name} back alone`);
      st.tolerated.add(name);
      await putBack(name);
    }
  }
}

async function smoke(ctx: RunContext, report: DeployReport): Promise<void> {
  const tests = ctx.environment.smokeTests;
  if (tests.length === 0) return;
  const first = ctx.targets[0];
  ctx.ports.say(`running ${plural(tests.length, 'smoke test')}`);
  report.smokeTests = await ctx.journal.step('smoke', first.name, null, () => runChecks(tests, first, { ...ctx.ports.checkPorts, signal: ctx.ports.signal }), checksDetail,
    checksPassed);
  for (const c of report.smokeTests) ctx.ports.say(`smoke test ${describeResult(c)}`);
  const bad = report.smokeTests.find((c) => c.status !== 'passed');
  if (bad) throw new StepFailure(`smoke test ${checkFailure(bad)}: ${bad.detail}`);
}

/** Runs the forward steps up to and including the commit. */
export async function forward(ctx: RunContext, plan: TransactionPlan, st: TransactionState, report: DeployReport, putBack: (name: string) => Promise<void>): Promise<string[]> {
  checkpoint(ctx);
  await capture(ctx, plan, st);
  checkpoint(ctx);
  await stage(ctx, plan, st);
  await switchBatches(ctx, plan, st, putBack);
  checkpoint(ctx);
  await smoke(ctx, report);
  checkpoint(ctx);
  const committed = ctx.targets.map((t) => t.name).filter((n) => !st.tolerated.has(n));
  await ctx.journal.write('commit', null, 'succeeded', JSON.stringify({ targets: committed }));
  return committed;
}

/**
 * Runs a configured step (install, migrate, restart) on one target: its
 * commands in order, each with the step's time limit, stopping at the first
 * that fails. Returns a verdict; never throws for a failing command.
 */
import type { Step } from '../config/index.js';
import type { Outcome } from './checks/index.js';
import type { Journal, StepName } from './journal.js';
import type { TargetSession } from './transports/transport.js';

export interface StepVerdict {
  status: Outcome;
  detail: string;
}

export async function runStep(session: TargetSession, step: Step, where: { cwd: 'current' | 'release'; release?: string }): Promise<StepVerdict> {
  if (step.run.length === 0) return NOTHING_TO_RUN;
  for (const command of step.run) {
    let r;
    try {
      r = await session.run(command, { cwd: where.cwd, release: where.release, timeoutMs: step.timeout });
    } catch (err) {
      return { status: 'failed', detail: `${JSON.stringify(command)}: ${(err as Error).message}` };
    }
    if (r.exitCode !== 0 || r.timedOut) {
      const how = r.timedOut ? `did not finish within ${step.timeout} ms` : r.signal ? `was killed by ${r.signal}` : `exited ${r.exitCode}`;
      const tail = (r.stderrTail.trim() || r.stdoutTail.trim()).split('\n').pop()?.slice(0, 300);
      return { status: 'failed', detail: `${JSON.stringify(command)} ${how}${tail ? `: ${tail}` : ''}` };
    }
  }
  return { status: 'ok', detail: `${step.run.length} command${step.run.length === 1 ? '' : 's'} ran` };
}

const NOTHING_TO_RUN: StepVerdict = { status: 'ok', detail: 'nothing to run' };

/**
 * runStep between the journal's `started` and `succeeded`/`failed` entries.
 * A step with no commands touches nothing and is not journaled: two entries
 * per target for nothing would only cost the deploy commits.
 */
export function journaledStep(journal: Journal, name: StepName, target: string, session: TargetSession, step: Step,
  where: { cwd: 'current' | 'release'; release?: string }): Promise<StepVerdict> {
  if (step.run.length === 0) return Promise.resolve(NOTHING_TO_RUN);
  return journal.step(name, target, null, () => runStep(session, step, where), (v) => v.detail);
}

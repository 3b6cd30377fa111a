/**
 * How the engine records check results: the journal detail of a `health`,
 * `smoke` or `rollback.health` step (each check's outcome, attempts and
 * duration), whether the step passed, and the failure message that starts a
 * rollback. Text only; never runs a check.
 */
import { describeResult, type CheckResult } from './checks/index.js';

/** `name: passed after 1 attempt in 12 ms (...); other: inconclusive after 4 attempts in 3.2 s (...)`. */
export function checksDetail(results: CheckResult[]): string {
  return results.map(describeResult).join('; ') || 'no checks';
}

/** Every check passed (none ran is a pass: nothing was asked). */
export function checksPassed(results: CheckResult[]): boolean {
  return results.every((c) => c.status === 'passed');
}

/** `NAME failed` / `NAME inconclusive (no answer)` / `NAME did not run`, for the message that starts a rollback. */
export function checkFailure(c: CheckResult): string {
  if (c.status === 'not-run') return `${c.check} did not run`;
  if (c.status === 'inconclusive') return `${c.check} inconclusive (no answer: never a pass)`;
  return `${c.check} ${c.status}`;
}

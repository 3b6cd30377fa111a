/**
 * How a stored deployment result counts in the report. The deploy engine
 * records `succeeded`, `failed`, `rolled-back`, `rollback-failed`,
 * `interrupted`; an operator may record `cancelled`. Never guesses in the
 * deploy's favour: any other finished result counts as a failure.
 */

export const RESULT_SUCCEEDED = 'succeeded';
export const RESULT_FAILED = 'failed';
export const RESULT_ROLLED_BACK = 'rolled-back';
export const RESULT_ROLLBACK_FAILED = 'rollback-failed';
export const RESULT_INTERRUPTED = 'interrupted';
export const RESULT_CANCELLED = 'cancelled';

export type Outcome = 'in-progress' | 'cancelled' | 'success' | 'failure';

/** `result` null means the deployment has not finished. */
export function outcomeOf(result: string | null): Outcome {
  if (result === null) return 'in-progress';
  if (result === RESULT_CANCELLED) return 'cancelled';
  if (result === RESULT_SUCCEEDED) return 'success';
  return 'failure';
}

/** A rollback was attempted (whether or not it completed). */
export function isRollback(result: string | null): boolean {
  return result === RESULT_ROLLED_BACK || result === RESULT_ROLLBACK_FAILED;
}

export function isRollbackFailure(result: string | null): boolean {
  return result === RESULT_ROLLBACK_FAILED;
}

/**
 * How a finished deployment read from the store is labelled in the deploy
 * metrics: its `result` label (the report's outcome rules) and, for a
 * rollback, its `reason`, read from the deployment's journal and error.
 * Only ever returns a value from the catalogue's fixed lists.
 */
import type { Deployment, JournalEvent } from '../store/index.js';
import type { ROLLBACK_REASONS } from '../observability/catalogue.js';
import { outcomeOf } from '../report/outcomes.js';

export type RollbackReason = (typeof ROLLBACK_REASONS)[number];
export type DeployResultLabel = 'succeeded' | 'failed' | 'cancelled';

/** `succeeded`, `cancelled`, or `failed` for every other finished result. */
export function resultLabel(result: string | null): DeployResultLabel {
  const outcome = outcomeOf(result);
  return outcome === 'success' ? 'succeeded' : outcome === 'cancelled' ? 'cancelled' : 'failed';
}

const INTERRUPTED = /\binterrupted\b|\bSIG[A-Z]+\b|\bsignal\b/;

/** The plan's kind (`deploy` or `rollback`) as the journal's first `plan` event records it. */
export function planKind(journal: readonly JournalEvent[]): string | undefined {
  const plan = journal.find((e) => e.step === 'plan' && e.phase === 'started');
  try {
    const d = JSON.parse(plan?.detail ?? '') as { kind?: unknown };
    return typeof d.kind === 'string' ? d.kind : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the engine rolled a deployment back. The first forward step that
 * failed decides (`health` -> health_check, `smoke` -> smoke_test, an
 * interruption -> interrupted); a step that ran but whose checks failed
 * leaves no `failed` event, so the recorded error is read the same way; a
 * deploy finished by a later run's recovery was interrupted; a `pitcrew
 * rollback` is manual; anything else is step_failed.
 */
export function rollbackReason(d: Pick<Deployment, 'error' | 'state'>, journal: readonly JournalEvent[]): RollbackReason {
  const failed = journal.find((e) => e.phase === 'failed' && !e.step.startsWith('rollback') && e.step !== 'recover');
  if (failed?.step === 'health') return 'health_check';
  if (failed?.step === 'smoke') return 'smoke_test';
  if (failed !== undefined && INTERRUPTED.test(failed.detail ?? '')) return 'interrupted';
  const error = d.error ?? '';
  if (/^health check /.test(error)) return 'health_check';
  if (/^smoke test /.test(error)) return 'smoke_test';
  if (/^interrupted\b/.test(error) || d.state === 'interrupted' || journal.some((e) => e.step === 'recover')) return 'interrupted';
  if (planKind(journal) === 'rollback') return 'manual';
  return 'step_failed';
}

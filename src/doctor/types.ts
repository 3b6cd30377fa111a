/**
 * The shapes of `pitcrew doctor`: one check result per concern, with the
 * evidence seen, the likely cause, the exact command to fix or look further,
 * and the runbook to open. A check never throws; whatever goes wrong while
 * checking becomes a result.
 */
import type { DoctorSources } from './sources/sources.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string[];
  cause?: string;
  /** An exact command to fix the problem or look further. */
  fix?: string;
  /** Path of the runbook, e.g. `docs/runbooks/runner-offline.md`. */
  runbook?: string;
}

/** What a check is about: one runner, or one environment. */
export type CheckScope = 'runner' | 'environment';

export interface DoctorCheck {
  id: string;
  title: string;
  scope: CheckScope;
  run(sources: DoctorSources): Promise<CheckResult>;
}

export const RUNBOOKS = {
  runnerOffline: 'docs/runbooks/runner-offline.md',
  runnerDegraded: 'docs/runbooks/runner-degraded.md',
  runnerDiskFull: 'docs/runbooks/runner-disk-full.md',
  runnerMemoryLow: 'docs/runbooks/runner-memory-low.md',
  runnerHighLoad: 'docs/runbooks/runner-high-load.md',
  runnerUnregistered: 'docs/runbooks/runner-unregistered.md',
  runnerVersionDeprecated: 'docs/runbooks/runner-version-deprecated.md',
  secretsExpired: 'docs/runbooks/secrets-expired.md',
  networkUnreachable: 'docs/runbooks/network-unreachable.md',
  serverDown: 'docs/runbooks/pitcrew-server-down.md',
  deployFailed: 'docs/runbooks/deploy-failed.md',
  rollbackFailed: 'docs/runbooks/rollback-failed.md',
  staleLock: 'docs/runbooks/stale-lock.md',
  lockHeldTooLong: 'docs/runbooks/deploy-lock-held-too-long.md',
  interruptedDeploy: 'docs/runbooks/interrupted-deploy.md',
  hostKeyChanged: 'docs/runbooks/target-host-key-changed.md',
  targetDiskLow: 'docs/runbooks/target-disk-low.md',
} as const;

/** Builds a result for `check` from the fields that vary. */
export function result(check: { id: string; title: string }, status: CheckStatus, evidence: string[], more: Partial<Pick<CheckResult, 'cause' | 'fix' | 'runbook'>> = {}): CheckResult {
  return { id: check.id, title: check.title, status, evidence, ...more };
}

/** A skipped check, with the reason it does not apply. */
export function skip(check: { id: string; title: string }, reason: string): CheckResult {
  return { id: check.id, title: check.title, status: 'skip', evidence: [reason] };
}

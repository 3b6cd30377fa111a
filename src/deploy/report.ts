/**
 * The deploy report: a result set per target (captured, staged, switched,
 * restart, checks, rolled back, checks after the rollback, final release) plus the deploy's outcome and
 * exit code. Built as the deploy runs, printed with --json. Never holds a
 * secret or a command's full output.
 */
import { ExitCode } from '../errors.js';
import type { CheckResult, Outcome } from './checks/index.js';

export type DeployResult =
  /** Every target on the new release, checks passed. */
  | 'succeeded'
  /** A step failed or the deploy was interrupted; every touched target is back on its captured release. */
  | 'rolled-back'
  /** The rollback did not complete: a human is needed. */
  | 'rollback-failed'
  /** The lease was lost or a target saw a newer fencing token: this deployer stopped touching anything. */
  | 'lock-lost'
  /** Nothing was changed: --dry-run. */
  | 'dry-run';

export interface TargetReport {
  target: string;
  /** Release `current` pointed at before the deploy (null: none yet, or not captured). */
  captured: string | null;
  staged: Outcome;
  switched: Outcome;
  restart: Outcome;
  /** Health checks after the switch to the new release (the one that started a rollback among them). */
  checks: CheckResult[];
  rolledBack: Outcome;
  /** Health checks after switching back, when the target was rolled back. */
  rollbackChecks: CheckResult[];
  /** Release `current` points at when the deploy ends (null: unknown or none). */
  final: string | null;
  detail?: string;
}

export interface RecoveryReport {
  deploymentId: string;
  /** `rolled-back` or `completed` (the journal showed the deploy committed), or `rollback-failed`. */
  result: 'rolled-back' | 'completed' | 'rollback-failed';
  targets: TargetReport[];
}

export interface DeployReport {
  kind: 'deploy' | 'rollback' | 'recover';
  environment: string;
  deploymentId: string | null;
  version: string;
  releaseId: string;
  sha256: string;
  fencingToken: number | null;
  result: DeployResult;
  exitCode: number;
  error?: string;
  targets: TargetReport[];
  smokeTests: CheckResult[];
  /** Release ids removed per target after a success. */
  pruned: Record<string, string[]>;
  /** Interrupted deployments finished before this one started. */
  recovered: RecoveryReport[];
}

export function newTargetReport(target: string): TargetReport {
  return { target, captured: null, staged: 'not-run', switched: 'not-run', restart: 'not-run', checks: [], rolledBack: 'not-run', rollbackChecks: [], final: null };
}

export const exitCodes: Record<DeployResult, number> = {
  succeeded: ExitCode.ok,
  'dry-run': ExitCode.ok,
  'rolled-back': ExitCode.failed,
  'lock-lost': ExitCode.unavailable,
  'rollback-failed': ExitCode.humanNeeded,
};

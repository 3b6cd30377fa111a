/**
 * The incident kinds pitcrew opens on its own, and what resolves each.
 * Never renamed once released: stored incidents and alert rules refer to them.
 */

/** A deploy failed and every target was switched back to its old release. */
export const DEPLOY_ROLLED_BACK = 'deploy.rolled-back';
/** A deploy failed and at least one target could not be switched back: a human is needed. */
export const DEPLOY_ROLLBACK_FAILED = 'deploy.rollback-failed';
/** A runner went offline while it held an environment's deploy lock. */
export const RUNNER_OFFLINE_HOLDING_LOCK = 'runner.offline-holding-lock';
/** No runner authorized for an environment is online. */
export const ENVIRONMENT_NO_HEALTHY_RUNNER = 'environment.no-healthy-runner';

export const INCIDENT_KINDS = [DEPLOY_ROLLED_BACK, DEPLOY_ROLLBACK_FAILED, RUNNER_OFFLINE_HOLDING_LOCK, ENVIRONMENT_NO_HEALTHY_RUNNER] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/**
 * What the deploy engine tells the incident log when a deploy ends: a
 * rollback opens `deploy.rolled-back`, a rollback that did not complete
 * opens `deploy.rollback-failed`, a success resolves both for the
 * environment. Goes through the coordinator's narrow incident calls.
 *
 * Must never change a deploy's outcome: a failure to record the incident
 * is said on the narration and swallowed.
 */
import type { OpenIncidentRequest, ResolvingCondition } from './lifecycle.js';
import { DEPLOY_ROLLBACK_FAILED, DEPLOY_ROLLED_BACK } from './kinds.js';

/** The two coordinator calls this needs (DeployCoordinator has them). */
export interface DeployIncidentPort {
  openIncident(request: OpenIncidentRequest): Promise<{ id: string; opened: boolean }>;
  resolveIncidents(condition: ResolvingCondition, at: number, note: string): Promise<number>;
}

export interface DeployFailure {
  environment: string;
  deploymentId: string;
  /** `rolled-back` or `rollback-failed`. */
  result: 'rolled-back' | 'rollback-failed';
  /** Why the deploy failed (already stored as the deployment's error). */
  cause: string;
  /** When the failure happened. */
  failedAt: number;
  /** When the rollback's outcome was known. */
  at: number;
}

/** Opens the incident for a deploy that ended rolled back or with a failed rollback. */
export async function deployFailed(port: DeployIncidentPort, f: DeployFailure, say: (line: string) => void): Promise<void> {
  const kind = f.result === 'rolled-back' ? DEPLOY_ROLLED_BACK : DEPLOY_ROLLBACK_FAILED;
  const cause = f.result === 'rolled-back' ? `deploy ${f.deploymentId} rolled back: ${f.cause}` : `deploy ${f.deploymentId} could not be rolled back: ${f.cause}`;
  try {
    const { id, opened } = await port.openIncident({
      kind, environment: f.environment, deploymentId: f.deploymentId, cause, startedAt: Math.min(f.failedAt, f.at), detectedAt: f.at,
    });
    say(opened ? `incident ${id} opened (${kind})` : `incident ${id} (${kind}) is still open`);
  } catch (err) {
    say(`could not record the ${kind} incident: ${(err as Error).message}`);
  }
}

/** Resolves the environment's deploy incidents after a deploy succeeded. */
export async function deploySucceeded(port: DeployIncidentPort, environment: string, deploymentId: string, at: number, say: (line: string) => void): Promise<void> {
  try {
    const n = await port.resolveIncidents({ type: 'deploy-succeeded', environment, deploymentId }, at, `deploy ${deploymentId} of ${environment} succeeded`);
    if (n > 0) say(`resolved ${n} open deploy incident${n === 1 ? '' : 's'} of ${environment}`);
  } catch (err) {
    say(`could not resolve the deploy incidents of ${environment}: ${(err as Error).message}`);
  }
}

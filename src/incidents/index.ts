/**
 * Incidents: the kinds pitcrew opens, opening at most once per problem, and
 * automatic resolution when the problem is gone.
 */
export * from './kinds.js';
export { openIncidentOnce, resolveIncidentsWhen, AUTOMATIC_ACTOR, type OpenIncidentRequest, type ResolvingCondition } from './lifecycle.js';
export { deployFailed, deploySucceeded, type DeployFailure, type DeployIncidentPort } from './deploy-incidents.js';
export {
  runnerWentOffline, runnerCameOnline, environmentWithoutRunner, EnvironmentHealthWatch,
  type RunnerWentOffline, type RunnerStanding, type EnvironmentWithoutRunner,
} from './fleet-incidents.js';

/**
 * Health checks and smoke tests: the registry of kinds and the runners.
 * Code outside src/deploy/checks imports from here only.
 */
export { checkRunners, checkRunnerFor, runCheck, runChecks } from './registry.js';
export { expandUrl } from './http.js';
export {
  checkLabel, describeResult, type Attempt, type AttemptOutcome, type CheckOutcome, type CheckPorts, type CheckResult, type CheckRunner, type CheckTarget,
  type Outcome,
} from './types.js';

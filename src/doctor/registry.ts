/**
 * Every doctor check, in the order they are printed. Adding a check is one
 * line here; `checkIds()` lists them for docs and for `--only` style filters.
 */
import { agentHeartbeat } from './checks/agent-heartbeat.js';
import { agentReachable } from './checks/agent-reachable.js';
import { clockSkew } from './checks/clock-skew.js';
import { deployLast, deployUnfinished } from './checks/deployments.js';
import { diagRunnerRemoved, diagVersionDeprecated } from './checks/diag-findings.js';
import { githubRegistration } from './checks/github-registration.js';
import { githubToken } from './checks/github-token.js';
import { hostDisk, hostLoad, hostMemory } from './checks/host-resources.js';
import { jobsRecent, jobsUnfinished } from './checks/jobs.js';
import { lockStale, lockState } from './checks/lock.js';
import { reachGithub, reachHosts, reachServer } from './checks/reachability.js';
import { runnerService } from './checks/runner-service.js';
import { runnerState } from './checks/runner-state.js';
import { targetsBadReleases, targetsCurrent, targetsDisk, targetsHostKeys, targetsReachable, targetsRecovery } from './checks/targets.js';
import type { DoctorCheck } from './types.js';

export const doctorChecks: readonly DoctorCheck[] = [
  agentReachable,
  agentHeartbeat,
  runnerState,
  runnerService,
  githubRegistration,
  githubToken,
  diagRunnerRemoved,
  diagVersionDeprecated,
  jobsUnfinished,
  jobsRecent,
  hostDisk,
  hostMemory,
  hostLoad,
  clockSkew,
  reachServer,
  reachGithub,
  reachHosts,
  lockState,
  lockStale,
  deployUnfinished,
  deployLast,
  targetsReachable,
  targetsHostKeys,
  targetsCurrent,
  targetsRecovery,
  targetsBadReleases,
  targetsDisk,
];

export function checkIds(): string[] {
  return doctorChecks.map((c) => c.id);
}

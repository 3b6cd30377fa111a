/**
 * The --guard decision of `pitcrew hook job-started`: whether this runner
 * should refuse the job, from the agent's /status. Pure. It refuses only on a
 * definite answer (the server said degraded or offline, or the server's list
 * of environments leaves the target out); anything unknown lets the job run.
 */
import type { AgentStatus } from './status.js';

/** Why the job must be refused, as the end of a sentence, or undefined to let it run. */
export function guardRefusal(status: Pick<AgentStatus, 'runner' | 'state' | 'reasons' | 'environments'>, environment: string | undefined): string | undefined {
  if (status.state === 'degraded' || status.state === 'offline') {
    const why = status.reasons.length ? ` (${status.reasons.join('; ')})` : '';
    return `runner ${status.runner} is ${status.state}${why}`;
  }
  if (environment && status.environments && !status.environments.includes(environment)) {
    return `runner ${status.runner} is not authorized for environment ${environment}`;
  }
  return undefined;
}

/**
 * The runner's job hook scripts. The runner runs them synchronously before
 * and after every job as the runner's own user, and a non-zero exit fails
 * the job. They are the same for every runner on a host: each runner's
 * `.env` says which agent to tell (PITCREW_AGENT_URL), so installing a
 * second runner never rewrites them. They must never hold a secret.
 */

export const HOOKS_DIR = '/opt/pitcrew/hooks';
export const AGENT_URL_KEY = 'PITCREW_AGENT_URL';

export type HookEvent = 'job-started' | 'job-completed';

export function hookPath(event: HookEvent): string {
  return `${HOOKS_DIR}/${event}.sh`;
}

/** `guard`: job-started fails the job (exit 1) when the agent says this runner must not take it. */
export function hookScript(event: HookEvent, pitcrewBin: string, guard = false): string {
  const when = event === 'job-started' ? 'before each job' : 'after each job';
  return [
    '#!/bin/sh',
    `# pitcrew: the GitHub Actions runner runs this ${when} (ACTIONS_RUNNER_HOOK_${event === 'job-started' ? 'JOB_STARTED' : 'JOB_COMPLETED'}).`,
    `# It tells this runner's pitcrew agent (${AGENT_URL_KEY}, set in the runner's .env) about the job.`,
    '# Written by `pitcrew agent install`; a second install leaves it as it is.',
    'set -eu',
    `exec ${pitcrewBin} hook ${event}${guard && event === 'job-started' ? ' --guard' : ''} --agent "\${${AGENT_URL_KEY}:-http://127.0.0.1:9101}"`,
    '',
  ].join('\n');
}

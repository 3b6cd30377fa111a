/**
 * `pitcrew hook job-started|job-completed`: the runner's job hooks
 * (ACTIONS_RUNNER_HOOK_JOB_STARTED / _COMPLETED) report the job to the local
 * agent. The runner waits for a hook and fails the job on a non-zero exit, so
 * this command fails open: an agent that is down or slow (2 s) costs one
 * warning line and exit 0, never a failed job. With --guard, job-started exits
 * 1 with one line when the agent says this runner must not take the job.
 */
import { Option, type Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { guardRefusal } from '../../agent/guard.js';
import { AgentUnreachable, DEFAULT_AGENT_URL, hookClient, HOOK_TIMEOUT_MS, type HookFetch } from '../../agent/hook-client.js';
import { jobFromEnv } from '../../agent/hook-job.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export interface HookFlags {
  guard?: boolean;
  agent?: string;
  environment?: string;
  result?: string;
}

export function register(program: Command, run: CommandRunner): void {
  const hook = program.command('hook').description("report the runner's job activity to the local agent (for the runner's job hooks)");
  const agentOption = () => new Option('--agent <url>', `the agent's HTTP address (default: $PITCREW_AGENT_URL, else ${DEFAULT_AGENT_URL})`);
  hook
    .command('job-started')
    .description('report that a job starts; with --guard, refuse it (exit 1) when this runner must not run it')
    .addOption(agentOption())
    .option('--guard', 'exit 1 with one line when the runner is degraded or offline, or not authorized for the environment')
    .option('--environment <env>', "the environment the job deploys to (default: $PITCREW_ENVIRONMENT; unknown: no environment check)")
    .action(run((ctx, cmd) => hookCommand(ctx, 'started', cmd.opts<HookFlags>())));
  hook
    .command('job-completed')
    .description('report that a job finished')
    .addOption(agentOption())
    .option('--result <result>', 'the job result when known (succeeded, failed, cancelled)')
    .action(run((ctx, cmd) => hookCommand(ctx, 'completed', cmd.opts<HookFlags>())));
}

export async function hookCommand(ctx: CliContext, event: 'started' | 'completed', flags: HookFlags, fetchPort?: HookFetch): Promise<number> {
  const agentUrl = flags.agent ?? ctx.env.PITCREW_AGENT_URL ?? DEFAULT_AGENT_URL;
  const environment = flags.environment ?? (ctx.env.PITCREW_ENVIRONMENT || undefined);
  const report = await jobFromEnv(ctx.env, environment);
  if (flags.result) report.result = flags.result;
  const jobName = report.name ?? 'unknown';
  const client = hookClient(agentUrl, HOOK_TIMEOUT_MS, fetchPort);
  try {
    if (event === 'started' && flags.guard) {
      const status = await client.status();
      const refusal = guardRefusal(status, environment);
      if (refusal) {
        ctx.io.stderr.write(`pitcrew: refusing job ${jobName}: ${refusal}\n`);
        return ExitCode.failed;
      }
      if (status.state === null) ctx.io.stderr.write(`pitcrew: warning: the agent has no verdict from the server yet; job ${jobName} goes ahead\n`);
    }
    await client.report(event, report);
    return ExitCode.ok;
  } catch (err) {
    if (!(err instanceof AgentUnreachable)) throw err;
    ctx.io.stderr.write(`pitcrew: warning: agent at ${agentUrl} not reachable (${err.reason}); job ${jobName} not reported${flags.guard ? ' and not guarded' : ''}, continuing\n`);
    return ExitCode.ok;
  } finally {
    client.close();
  }
}

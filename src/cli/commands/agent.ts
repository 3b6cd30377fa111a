/**
 * `pitcrew agent`: runs the runner agent until SIGINT or SIGTERM, then closes
 * the stream and the HTTP listener and exits 0. Logs one line per event on the
 * masked stderr; it never writes to stdout.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { parseDuration } from '../../config/duration.js';
import { startAgent, type AgentHandle, type AgentOptions } from '../../agent/agent.js';
import { DEFAULT_LISTEN, parseListen } from '../../agent/listen.js';
import { sinkLogger } from '../../agent/log.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';
import { nextStopSignal, type StopSignal } from '../signals.js';

export interface AgentFlags {
  runner?: string;
  listen?: string;
  service?: string;
  pidFile?: string;
  workDir?: string;
  diagDir?: string;
  interval?: string;
}

export function register(program: Command, run: CommandRunner): void {
  program
    .command('agent')
    .description('run the runner agent: probes, heartbeats to the server, metrics and job hooks')
    .option('--runner <name>', 'the runner this agent watches, as named in pitcrew.yml (default: $PITCREW_RUNNER)')
    .option('--listen <host:port>', `where to serve /metrics, /status and the hooks (default ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}; 0.0.0.0 exposes metrics and status on the network)`)
    .option('--service <unit>', "the runner's systemd unit, whose state and restart count systemctl reports")
    .option('--pid-file <file>', "the runner's pid file, for runners not run by systemd")
    .option('--work-dir <dir>', "the runner's work directory, whose filesystem is measured (default: the current directory)")
    .option('--diag-dir <dir>', "the runner's _diag folder, followed for job activity when the job hooks are not set up")
    .option('--interval <duration>', "heartbeat interval, e.g. 1s or 500ms (default: the server's, else 1s)")
    .action(run((ctx, cmd) => agentCommand(ctx, cmd.opts<AgentFlags>())));
}

export function agentOptions(ctx: CliContext, flags: AgentFlags): AgentOptions {
  const server = ctx.globals.server;
  if (!server) throw new UsageError('no server to report to', { hint: 'pass --server URL or set $PITCREW_SERVER' });
  const token = ctx.globals.token;
  if (!token) throw new UsageError('no token for the server', { hint: 'pass --token or set $PITCREW_TOKEN to a token with the agent role' });
  const runner = flags.runner ?? ctx.env.PITCREW_RUNNER;
  if (!runner) throw new UsageError('no runner name', { hint: 'pass --runner NAME (as in pitcrew.yml) or set $PITCREW_RUNNER' });
  if (flags.service && flags.pidFile) throw new UsageError('--service and --pid-file both given', { hint: 'give one: --service for a systemd unit, --pid-file otherwise' });
  const intervalMs = flags.interval === undefined ? undefined : parseDuration(flags.interval);
  if (intervalMs !== undefined && intervalMs < 100) throw new UsageError(`--interval ${flags.interval} is under 100ms`, { hint: 'use 1s unless you have a reason' });
  return {
    server,
    token,
    runner,
    workDir: resolve(ctx.io.cwd, flags.workDir ?? '.'),
    service: flags.service ? { systemdUnit: flags.service } : flags.pidFile ? { pidFile: resolve(ctx.io.cwd, flags.pidFile) } : undefined,
    diagDir: flags.diagDir ? resolve(ctx.io.cwd, flags.diagDir) : undefined,
    intervalMs,
    listen: flags.listen ? parseListen(flags.listen) : DEFAULT_LISTEN,
  };
}

export async function agentCommand(ctx: CliContext, flags: AgentFlags, stopSignal: StopSignal = nextStopSignal): Promise<number> {
  const opts = agentOptions(ctx, flags);
  const log = sinkLogger(ctx.io.stderr);
  log('starting', { runner: opts.runner, workDir: opts.workDir, service: opts.service ? Object.values(opts.service)[0] : undefined, diagDir: opts.diagDir });
  const agent: AgentHandle = await startAgent(opts, { log });
  const signal = await stopSignal();
  log('stopping', { signal });
  await agent.stop();
  return ExitCode.ok;
}

/**
 * `pitcrew doctor [--runner NAME | --env ENV] [--json]`: runs every check that
 * applies to a runner or an environment and prints each as pass / warn / fail
 * / skip with its evidence, likely cause, fix command and runbook. Exit 0 when
 * nothing failed, 1 otherwise. Only reads: it never restarts, recovers or
 * releases anything.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import type { Config } from '../../config/index.js';
import { DEFAULT_AGENT_URL, formatReport, reportJson, runDoctor } from '../../doctor/index.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { loadCliConfig } from '../load-config.js';
import type { CommandRunner } from '../program.js';

export interface DoctorFlags {
  runner?: string;
  env?: string;
  agent?: string;
  service?: string;
  pidFile?: string;
  workDir?: string;
  diagDir?: string;
  db?: string;
  timeout?: string;
}

export function register(program: Command, run: CommandRunner): void {
  program
    .command('doctor')
    .description('diagnose a runner or an environment: each check with evidence, cause, fix and runbook (exit 1 when one fails)')
    .option('--runner <name>', 'the runner to diagnose (default: the local agent\'s runner, else $PITCREW_RUNNER)')
    .option('--env <environment>', 'the environment to diagnose: lock, journal, targets')
    .option('--agent <url>', `the local agent (default: ${DEFAULT_AGENT_URL}); giving it means this is the runner host`)
    .option('--service <unit>', "the runner's systemd unit, checked here")
    .option('--pid-file <file>', "the runner's pid file, for runners not run by systemd")
    .option('--work-dir <dir>', "the runner's _work folder, whose disk is measured here")
    .option('--diag-dir <dir>', "the runner's _diag folder, read for job and registration messages")
    .option('--db <url>', 'the store: a SQLite path or postgres:// URL (default: server.database)')
    .option('--timeout <duration>', 'deadline of each remote call, e.g. 5s', '5s')
    .action(run((ctx, cmd) => doctorCommand(ctx, cmd.opts<DoctorFlags>())));
}

export async function doctorCommand(ctx: CliContext, flags: DoctorFlags): Promise<number> {
  if (flags.service && flags.pidFile) throw new UsageError('--service and --pid-file both given', { hint: 'give one: --service for a systemd unit, --pid-file otherwise' });
  const timeoutMs = parseDuration(flags.timeout ?? '5s');
  if (timeoutMs < 100) throw new UsageError(`--timeout ${flags.timeout} is under 100ms`, { hint: 'use 5s unless you have a reason' });
  let config: Config | undefined;
  let configDir: string | undefined;
  if (ctx.globals.configExplicit || existsSync(ctx.globals.configPath)) {
    const loaded = await loadCliConfig(ctx);
    config = loaded.config;
    configDir = dirname(loaded.path);
  }
  if (flags.env !== undefined && config && !Object.hasOwn(config.environments, flags.env)) {
    throw new UsageError(`environment ${flags.env} is not in ${ctx.globals.configPath}`, { hint: `known environments: ${Object.keys(config.environments).join(', ') || 'none'}` });
  }
  const report = await runDoctor({
    runner: flags.runner,
    environment: flags.env,
    agentUrl: flags.agent ?? ctx.env.PITCREW_AGENT_URL ?? DEFAULT_AGENT_URL,
    agentExplicit: flags.agent !== undefined,
    service: flags.service ? { systemdUnit: flags.service } : flags.pidFile ? { pidFile: resolve(ctx.io.cwd, flags.pidFile) } : undefined,
    workDir: flags.workDir === undefined ? undefined : resolve(ctx.io.cwd, flags.workDir),
    diagDir: flags.diagDir === undefined ? undefined : resolve(ctx.io.cwd, flags.diagDir),
    server: ctx.globals.server,
    token: ctx.globals.token,
    config,
    database: flags.db,
    cwd: ctx.io.cwd,
    // As every command: a relative server.database is taken from the configuration's folder.
    storeCwd: flags.db === undefined ? configDir : ctx.io.cwd,
    env: ctx.env,
    timeoutMs,
  });
  if (report.checks.length === 0) {
    throw new UsageError('nothing to diagnose: no runner and no environment named', {
      hint: 'pass --runner NAME or --env ENV (on a runner host, a running agent names its runner)',
    });
  }
  ctx.io.stdout.write(ctx.globals.json ? reportJson(report) : formatReport(report));
  return report.exitCode;
}

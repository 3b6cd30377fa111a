/**
 * `pitcrew agent install`: writes the agent's systemd unit, token file, job
 * hooks and the runner's .env keys under --root, then prints the commands
 * that enable it. It never runs those commands and never prints a token.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { INSTALL_DEFAULTS, installAgent } from '../../onboard/agent-install.js';
import type { CommandRunner } from '../program.js';

interface InstallFlags {
  runner?: string;
  server?: string;
  runnerDir: string;
  user: string;
  root: string;
  listen?: string;
  service?: string;
  pitcrew: string;
  guard?: boolean;
}

/**
 * `agent` is also the command that runs the agent; install is its subcommand and
 * shares it. The parent's own --runner, --listen and --service (and the global
 * --server) take those flags even after `install`, so they are read with
 * optsWithGlobals and carry no commander defaults here.
 */
function agentCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'agent') ?? program.command('agent').description('the pitcrew agent that runs beside each runner');
}

export function register(program: Command, run: CommandRunner): void {
  agentCommand(program)
    .command('install')
    .description('write the agent\'s systemd unit, token file, job hooks and runner .env keys; print the commands that enable it')
    .option('--runner <name>', 'the runner\'s name (letters, digits, . _ -); required')
    .option('--server <url>', 'the pitcrew server the agent reports to (default: $PITCREW_SERVER)')
    .option('--runner-dir <dir>', 'the runner\'s folder, holding its .env', INSTALL_DEFAULTS.runnerDir)
    .option('--user <user>', 'the unprivileged system user the agent runs as', INSTALL_DEFAULTS.user)
    .option('--root <dir>', 'write under this folder instead of / (to prepare an image, or to review the files)', INSTALL_DEFAULTS.root)
    .option('--listen <addr>', `where the agent serves /metrics and the hooks reach it (default: ${INSTALL_DEFAULTS.listen})`)
    .option('--service <unit>', 'the runner\'s systemd unit, probed by the agent and restarted to read .env')
    .option('--guard', 'the job-started hook fails a job when the agent says this runner must not take it (degraded, offline, not authorized)')
    .option('--pitcrew <path>', 'the pitcrew executable on the runner host', INSTALL_DEFAULTS.pitcrewBin)
    .action(
      run(async (ctx, cmd) => {
        const flags = cmd.optsWithGlobals<InstallFlags>();
        if (flags.runner === undefined) throw new UsageError('agent install needs the runner\'s name', { hint: 'pass --runner NAME, as named under runners: in pitcrew.yml' });
        const server = flags.server ?? ctx.globals.server;
        if (server === undefined) throw new UsageError('agent install needs the server\'s URL', { hint: 'pass --server https://pitcrew.example.com (or set $PITCREW_SERVER)' });
        const result = await installAgent({
          runner: flags.runner,
          server,
          runnerDir: flags.runnerDir,
          user: flags.user,
          root: resolve(ctx.io.cwd, flags.root),
          listen: flags.listen ?? INSTALL_DEFAULTS.listen,
          service: flags.service,
          pitcrewBin: flags.pitcrew,
          guard: flags.guard === true,
        });
        if (ctx.globals.json) {
          ctx.io.stdout.write(JSON.stringify(result) + '\n');
          return ExitCode.ok;
        }
        for (const c of result.changes) ctx.io.stdout.write(`${c.status.padEnd(10)} ${c.path}\n`);
        ctx.io.stdout.write(`\nTo enable ${result.unit}, run as root (set PITCREW_TOKEN in the token file first):\n`);
        for (const line of result.commands) ctx.io.stdout.write(`  ${line}\n`);
        return ExitCode.ok;
      }),
    );
}

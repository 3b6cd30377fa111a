/**
 * `pitcrew select --env ENV`: asks the server which runner should deploy to
 * ENV. Prints the runner's name (or the whole answer with --json), and in
 * GitHub Actions writes `runner=NAME` to $GITHUB_OUTPUT. Exits 3 with the
 * server's explanation when no runner qualifies.
 */
import { appendFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { createServerClient } from '../../server/client.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('select')
    .description('ask the server which runner deploys to an environment (exit 3 when none can)')
    .requiredOption('--env <environment>', 'the environment to deploy to')
    .option('--label <label...>', 'labels the runner must carry')
    .action(run((ctx, cmd) => selectCommand(ctx, cmd.opts<{ env: string; label?: string[] }>())));
}

export async function selectCommand(ctx: CliContext, opts: { env: string; label?: string[] }): Promise<number> {
  const client = createServerClient({ url: ctx.globals.server, token: ctx.globals.token });
  const answer = await client.select(opts.env, opts.label ?? []);
  if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify(answer) + '\n');
  if (!answer.runner) {
    ctx.io.stderr.write(`pitcrew: ${answer.summary}\n`);
    for (const c of answer.considered) ctx.io.stderr.write(`  ${c.name}: ${c.verdict}: ${c.why}\n`);
    return ExitCode.unavailable;
  }
  if (answer.warning) ctx.io.stderr.write(`pitcrew: warning: ${answer.warning}\n`);
  if (!ctx.globals.json) ctx.io.stdout.write(`${answer.runner}\n`);
  const output = ctx.env.GITHUB_OUTPUT;
  if (output) await appendFile(output, `runner=${answer.runner}\n`, 'utf8');
  return ExitCode.ok;
}

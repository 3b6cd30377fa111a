/**
 * `pitcrew init`: writes a commented pitcrew.yml and .github/workflows/deploy.yml
 * for the given environments. Non-interactive; refuses to overwrite without
 * --force (exit 2, nothing written).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { runInit } from '../../onboard/init.js';
import type { CommandRunner } from '../program.js';

interface InitFlags {
  dir: string;
  env?: string[];
  transport: string;
  project?: string;
  force?: boolean;
}

export function register(program: Command, run: CommandRunner): void {
  program
    .command('init')
    .description('write a commented pitcrew.yml and a GitHub Actions deploy workflow for your environments')
    .option('--dir <dir>', 'the repository to write into', '.')
    .option('--env <name...>', 'environments, in deploy order (default: staging production)')
    .option('--transport <kind>', 'ssh (targets are hosts) or local (folders on the runner host)', 'ssh')
    .option('--project <name>', 'the project\'s name (default: the folder\'s name)')
    .option('--force', 'overwrite files that already exist')
    .action(
      run(async (ctx, cmd) => {
        const flags = cmd.opts<InitFlags>();
        const result = await runInit({
          dir: resolve(ctx.io.cwd, flags.dir),
          environments: flags.env ?? [],
          transport: flags.transport,
          project: flags.project,
          force: flags.force === true,
        });
        if (ctx.globals.json) {
          ctx.io.stdout.write(JSON.stringify(result) + '\n');
          return ExitCode.ok;
        }
        for (const c of result.changes) ctx.io.stdout.write(`${c.status.padEnd(10)} ${c.path}\n`);
        const first = flags.transport === 'ssh' ? 'replace the placeholder hosts and URLs' : 'replace the placeholder URLs';
        ctx.io.stdout.write(
          `\nNext: ${first} in pitcrew.yml, then run \`pitcrew config check\` with ${result.secrets.join(', ')} set,\n` +
            'and add each of them as a GitHub Actions secret (Settings > Secrets and variables > Actions).\n',
        );
        return ExitCode.ok;
      }),
    );
}

/**
 * `pitcrew releases ENV`: the releases staged on each target, oldest first,
 * with their good/bad marks and which one is current. Read-only.
 */
import type { Command } from 'commander';
import { closeTargets, openTargets } from '../../deploy/engine-context.js';
import { openWorkspace } from '../../deploy/engine-setup.js';
import { ExitCode } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('releases')
    .argument('<env>', 'environment name')
    .description('list the releases on each target of ENV, their good/bad marks and the current one')
    .action(run((ctx, cmd) => releasesCommand(ctx, cmd.args[0])));
}

export async function releasesCommand(ctx: CliContext, envName: string): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  try {
    const targets = await openTargets(ws.environment, {});
    try {
      const listed = [];
      for (const t of targets) {
        const s = await t.session.inspect();
        listed.push({
          target: t.name,
          current: s.current ?? null,
          releases: s.details.map((d) => ({ id: d.id, mark: d.mark ?? null, current: d.id === s.current, sha256: d.sha256 ?? null })),
        });
      }
      if (ctx.globals.json) {
        ctx.io.stdout.write(JSON.stringify({ environment: envName, targets: listed }) + '\n');
      } else {
        for (const t of listed) {
          ctx.io.stdout.write(`${t.target}:\n`);
          if (t.releases.length === 0) ctx.io.stdout.write('  no releases\n');
          for (const r of t.releases) ctx.io.stdout.write(`  ${r.current ? '*' : ' '} ${r.id}${r.mark ? ` (${r.mark})` : ''}\n`);
        }
      }
      return ExitCode.ok;
    } finally {
      await closeTargets(targets);
    }
  } finally {
    await ws.close();
  }
}

/**
 * `pitcrew lock status ENV` and `pitcrew lock release ENV`. A lock is
 * released by its owner (`--owner TOKEN`); breaking someone else's lock needs
 * `--force` and is written to the audit log with the actor and reason.
 */
import type { Command } from 'commander';
import { publicLockStatus } from '../../coord/index.js';
import { openWorkspace } from '../../deploy/engine-setup.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  const lock = program.command('lock').description("inspect or release an environment's deploy lock");
  lock
    .command('status')
    .argument('<env>', 'environment name')
    .description('show who holds the lock of ENV and who waits')
    .action(run((ctx, cmd) => lockStatusCommand(ctx, cmd.args[0])));
  lock
    .command('release')
    .argument('<env>', 'environment name')
    .option('--owner <token>', 'release the hold of this owner token only')
    .option('--force', "break the current holder's lock (audited)")
    .option('--reason <text>', 'why the lock is broken (audited)', 'released by hand')
    .description('release the lock of ENV: your own with --owner, anyone\'s with --force')
    .action(run((ctx, cmd) => lockReleaseCommand(ctx, cmd.args[0], cmd.opts<{ owner?: string; force?: boolean; reason: string }>())));
}

export async function lockStatusCommand(ctx: CliContext, envName: string): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  try {
    const s = await ws.coord.lockStatus(envName);
    if (ctx.globals.json) {
      ctx.io.stdout.write(JSON.stringify(publicLockStatus(s)) + '\n');
      return ExitCode.ok;
    }
    const h = s.holder;
    ctx.io.stdout.write(h ? `${envName}: held by ${h.description}, token ${h.fencingToken}, until ${new Date(h.expiresAt).toISOString()}${h.expired ? ' (lease passed)' : ''}\n` : `${envName}: free\n`);
    for (const w of s.queue) ctx.io.stdout.write(`  waiting ${w.position}: ${w.description}\n`);
    ctx.io.stdout.write(`last fencing token: ${s.lastFencingToken}\n`);
    return ExitCode.ok;
  } finally {
    await ws.close();
  }
}

export async function lockReleaseCommand(ctx: CliContext, envName: string, o: { owner?: string; force?: boolean; reason: string }): Promise<number> {
  if (o.owner === undefined && o.force !== true) {
    throw new UsageError(`lock release ${envName}: only the owner releases a lock (--owner TOKEN)`, {
      code: 'lock.not-owner',
      hint: 'a deploy releases its own lock when it ends, even on failure or Ctrl-C; to break another deployer\'s lock, add --force (audited)',
    });
  }
  const ws = await openWorkspace(ctx, envName);
  try {
    if (o.force === true) {
      const actor = ctx.env.GITHUB_ACTOR ?? ctx.env.USER ?? 'pitcrew';
      const broken = await ws.coord.forceRelease(envName, actor, o.reason);
      ctx.io.stdout.write(broken ? `broke the lock of ${envName} held by ${broken.description} (token ${broken.fencingToken}); audited as ${actor}\n` : `${envName}: the lock was free\n`);
      return ExitCode.ok;
    }
    const released = await ws.coord.release(envName, o.owner as string);
    ctx.io.stdout.write(released ? `released the lock of ${envName}\n` : `${envName}: that owner holds nothing\n`);
    return released ? ExitCode.ok : ExitCode.failed;
  } finally {
    await ws.close();
  }
}

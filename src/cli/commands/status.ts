/**
 * `pitcrew status ENV`: each target's current release, the lock's holder and
 * queue, and the last deployments. Read-only: takes no lock, changes nothing.
 */
import type { Command } from 'commander';
import { closeTargets, openTargets } from '../../deploy/engine-context.js';
import { publicLockStatus } from '../../coord/index.js';
import { openWorkspace } from '../../deploy/engine-setup.js';
import { ExitCode } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .argument('<env>', 'environment name')
    .description('show the current release on each target of ENV, the lock and the last deployments')
    .action(run((ctx, cmd) => statusCommand(ctx, cmd.args[0])));
}

export async function statusCommand(ctx: CliContext, envName: string): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  try {
    const targets = await openTargets(ws.environment, {});
    const current = await Promise.all(
      targets.map(async (t) => {
        try {
          const s = await t.session.inspect();
          return { target: t.name, current: s.current ?? null, fence: s.fence, error: null as string | null };
        } catch (err) {
          return { target: t.name, current: null, fence: null, error: (err as Error).message };
        }
      }),
    );
    await closeTargets(targets);
    const lock = await ws.coord.lockStatus(envName);
    const deployments = await ws.coord.listDeployments({ environment: envName, limit: 5 });
    if (ctx.globals.json) {
      ctx.io.stdout.write(JSON.stringify({ environment: envName, targets: current, lock: publicLockStatus(lock), deployments }) + '\n');
      return ExitCode.ok;
    }
    const out = (l: string) => ctx.io.stdout.write(`${l}\n`);
    out(`environment ${envName}`);
    for (const t of current) out(`  ${t.target}: ${t.error ?? t.current ?? 'no release'}${t.fence !== null ? ` (fence ${t.fence})` : ''}`);
    const h = lock.holder;
    out(h ? `lock: held by ${h.description}${h.runner ? ` on ${h.runner}` : ''}, token ${h.fencingToken}, until ${new Date(h.expiresAt).toISOString()}${h.expired ? ' (lease passed)' : ''}` : 'lock: free');
    for (const w of lock.queue) out(`  waiting ${w.position}: ${w.description}${w.runner ? ` on ${w.runner}` : ''}`);
    out(deployments.length > 0 ? 'last deployments:' : 'no deployments yet');
    for (const d of deployments) out(`  ${new Date(d.startedAt).toISOString()} ${d.version} ${d.state} by ${d.actor} (${d.id})${d.error ? `: ${d.error}` : ''}`);
    return ExitCode.ok;
  } finally {
    await ws.close();
  }
}

/**
 * `pitcrew rollback ENV [--to RELEASE]`: switches every target to an earlier
 * release already staged there (default: the newest good one before
 * `current`), under the lock, with restart and health checks; if that fails,
 * every target goes back to where it was.
 */
import type { Command } from 'commander';
import { runDeploy } from '../../deploy/engine.js';
import { enginePorts, interruptOnSignals, narrator, openWorkspace, waitOption } from '../../deploy/engine-setup.js';
import { deployOutput } from '../../deploy/output/index.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';
import { printReport } from './deploy-report.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('rollback')
    .argument('<env>', 'environment name')
    .option('--to <release>', 'release id to go back to (see `pitcrew releases ENV`)')
    .option('--wait-lock <duration>', 'how long to wait for the lock (default: environment lock.wait)')
    .description('switch every target of ENV back to an earlier staged release')
    .action(run((ctx, cmd) => rollbackCommand(ctx, cmd.args[0], cmd.opts<{ to?: string; waitLock?: string }>())));
}

export async function rollbackCommand(ctx: CliContext, envName: string, o: { to?: string; waitLock?: string }): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  const interrupt = interruptOnSignals(narrator(ctx));
  try {
    const report = await runDeploy(
      { environmentName: envName, environment: ws.environment, kind: 'rollback', toRelease: o.to, waitLockMs: waitOption(o.waitLock) },
      enginePorts(ctx, ws.coord, interrupt.signal),
    );
    return printReport(ctx, report);
  } catch (err) {
    deployOutput(ctx).fail(err, 'rollback');
    throw err;
  } finally {
    interrupt.dispose();
    await ws.close();
  }
}

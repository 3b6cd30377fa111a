/**
 * `pitcrew recover ENV`: takes the lock and finishes any deployment of ENV
 * that a deployer left unfinished (rolls it back, or completes it when its
 * journal shows it committed). Exit 0 when nothing is left unfinished, 4
 * when a rollback could not complete.
 */
import type { Command } from 'commander';
import { runDeploy } from '../../deploy/engine.js';
import { enginePorts, openWorkspace, waitOption } from '../../deploy/engine-setup.js';
import { deployOutput } from '../../deploy/output/index.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';
import { printReport } from './deploy-report.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('recover')
    .argument('<env>', 'environment name')
    .option('--wait-lock <duration>', 'how long to wait for the lock (default: environment lock.wait)')
    .description('roll back (or complete) a deploy of ENV that was interrupted')
    .action(run((ctx, cmd) => recoverCommand(ctx, cmd.args[0], cmd.opts<{ waitLock?: string }>())));
}

export async function recoverCommand(ctx: CliContext, envName: string, o: { waitLock?: string }): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  try {
    const report = await runDeploy(
      { environmentName: envName, environment: ws.environment, kind: 'recover', waitLockMs: waitOption(o.waitLock) },
      enginePorts(ctx, ws.coord),
    );
    return printReport(ctx, report);
  } catch (err) {
    deployOutput(ctx).fail(err, 'recover');
    throw err;
  } finally {
    await ws.close();
  }
}

/**
 * `pitcrew deploy ENV --artifact FILE`: the transactional deploy (see
 * docs/deploy.md). Narrates each step; --json prints the DeployReport. The
 * exit code is the report's: 0, 1 (rolled back), 3 (lock), 4 (human needed).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { closeTargets, openTargets } from '../../deploy/engine-context.js';
import type { CliContext } from '../context.js';
import { findEnvironment } from '../find-environment.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('deploy')
    .argument('<env>', 'environment name')
    .requiredOption('--artifact <file>', 'the release artifact (.tar.gz)')
    .option('--version <version>', 'release version (default: from the file name, e.g. shop-1.4.2.tar.gz -> 1.4.2)')
    .option('--sha256 <hex>', 'expected digest (default: FILE.sha256 beside the artifact)')
    .option('--dry-run', 'verify the artifact and show what would happen; change nothing')
    .option('--wait-lock <duration>', 'how long to wait for the lock (default: environment lock.wait)')
    .description('deploy a release to every target of ENV; all targets end on it, or all back on their old release')
    .action(run((ctx, cmd) => {
      const o = cmd.opts<{ artifact: string; version?: string; sha256?: string; dryRun?: boolean; waitLock?: string }>();
      return deployCommand(ctx, cmd.args[0], o);
    }));
}

/**
 * Logging in to the targets is the slowest part of a deploy's start, and
 * waits mostly on the hosts: it begins as soon as the environment is known,
 * while the engine, the store and their libraries load (the imports below),
 * and the engine takes the sessions over. Nothing is read or changed on a
 * target before the artifact is verified and the lock is held.
 */
export async function deployCommand(
  ctx: CliContext, envName: string, o: { artifact: string; version?: string; sha256?: string; dryRun?: boolean; waitLock?: string },
): Promise<number> {
  const found = await findEnvironment(ctx, envName);
  const opening = openTargets(found.environment, {});
  opening.catch(() => undefined);
  let handedOver = false;
  try {
    const [{ runDeploy }, setup, { deployOutput }, { printReport }] = await Promise.all([
      import('../../deploy/engine.js'), import('../../deploy/engine-setup.js'), import('../../deploy/output/index.js'), import('./deploy-report.js'),
    ]);
    const ws = await setup.openWorkspace(ctx, envName, found);
    const interrupt = setup.interruptOnSignals(setup.narrator(ctx));
    try {
      const ports = setup.enginePorts(ctx, ws.coord, interrupt.signal);
      const waitLockMs = setup.waitOption(o.waitLock);
      handedOver = true;
      const report = await runDeploy(
        {
          environmentName: envName, environment: ws.environment, kind: 'deploy', artifact: resolve(ctx.io.cwd, o.artifact), version: o.version,
          sha256: o.sha256, dryRun: o.dryRun, waitLockMs, targets: opening,
        },
        ports,
      );
      return printReport(ctx, report);
    } catch (err) {
      deployOutput(ctx).fail(err, 'deploy');
      throw err;
    } finally {
      interrupt.dispose();
      await ws.close();
    }
  } finally {
    // Anything that failed before the engine took the sessions (the store, a bad --wait-lock) closes them here.
    if (!handedOver) await opening.then(closeTargets, () => undefined);
  }
}

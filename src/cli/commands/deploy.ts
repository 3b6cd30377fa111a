/**
 * `pitcrew deploy ENV --artifact FILE`: the transactional deploy (see
 * docs/deploy.md). Narrates each step; --json prints the DeployReport. The
 * exit code is the report's: 0, 1 (rolled back), 3 (lock), 4 (human needed).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDeploy } from '../../deploy/engine.js';
import { enginePorts, interruptOnSignals, narrator, openWorkspace, waitOption } from '../../deploy/engine-setup.js';
import { deployOutput } from '../../deploy/output/index.js';
import type { DeployReport } from '../../deploy/report.js';
import type { CliContext } from '../context.js';
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

/** Ends the narration (under GitHub Actions: annotations and the step summary), then prints the report. */
export function printReport(ctx: CliContext, report: DeployReport): number {
  deployOutput(ctx).finish(report);
  if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify(report) + '\n');
  if (report.error !== undefined && report.exitCode !== 0) ctx.io.stderr.write(`pitcrew: ${report.kind} ${report.result}: ${report.error}\n`);
  return report.exitCode;
}

export async function deployCommand(
  ctx: CliContext, envName: string, o: { artifact: string; version?: string; sha256?: string; dryRun?: boolean; waitLock?: string },
): Promise<number> {
  const ws = await openWorkspace(ctx, envName);
  const interrupt = interruptOnSignals(narrator(ctx));
  try {
    const report = await runDeploy(
      {
        environmentName: envName, environment: ws.environment, kind: 'deploy', artifact: resolve(ctx.io.cwd, o.artifact), version: o.version,
        sha256: o.sha256, dryRun: o.dryRun, waitLockMs: waitOption(o.waitLock),
      },
      enginePorts(ctx, ws.coord, interrupt.signal),
    );
    return printReport(ctx, report);
  } catch (err) {
    deployOutput(ctx).fail(err, 'deploy');
    throw err;
  } finally {
    interrupt.dispose();
    await ws.close();
  }
}

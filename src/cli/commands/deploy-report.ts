/**
 * How the deploy commands (deploy, rollback, recover) end: the narration's
 * close (under GitHub Actions: annotations and the step summary), the report
 * with --json, and the exit code.
 */
import { deployOutput } from '../../deploy/output/index.js';
import type { DeployReport } from '../../deploy/report.js';
import type { CliContext } from '../context.js';

/** Ends the narration, then prints the report; returns the report's exit code. */
export function printReport(ctx: CliContext, report: DeployReport): number {
  deployOutput(ctx).finish(report);
  if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify(report) + '\n');
  if (report.error !== undefined && report.exitCode !== 0) ctx.io.stderr.write(`pitcrew: ${report.kind} ${report.result}: ${report.error}\n`);
  return report.exitCode;
}

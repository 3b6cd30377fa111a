/**
 * `pitcrew runners`: the fleet as the server sees it, one runner a line with
 * its state, priority, last heartbeat and why it is not online (or the
 * server's answer as JSON with --json).
 */
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { createServerClient } from '../../server/client.js';
import type { RunnerView } from '../../server/index.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('runners')
    .description('list the runners with their state and reasons, from the server')
    .action(run((ctx) => runnersCommand(ctx)));
}

export async function runnersCommand(ctx: CliContext): Promise<number> {
  const runners = await createServerClient({ url: ctx.globals.server, token: ctx.globals.token }).runners();
  if (ctx.globals.json) {
    ctx.io.stdout.write(JSON.stringify({ runners }) + '\n');
    return ExitCode.ok;
  }
  ctx.io.stdout.write(formatRunnerTable(runners));
  return ExitCode.ok;
}

export function formatRunnerTable(runners: readonly RunnerView[]): string {
  const rows = [
    ['NAME', 'STATE', 'PRIORITY', 'HEARTBEAT', 'JOB', 'ENVIRONMENTS', 'REASONS'],
    ...runners.map((r) => [
      r.name,
      r.state,
      String(r.priority),
      r.lastHeartbeatAgeMs === null ? 'never' : `${(r.lastHeartbeatAgeMs / 1000).toFixed(1)} s ago`,
      r.currentJob?.name ?? '-',
      r.environments.join(',') || '-',
      r.reasons.join('; ') || '-',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/**
 * `pitcrew report [--since 30d] [--env ENV] [--format table|json|markdown]`:
 * deploy success, durations, rollbacks, lock waits, failovers, incident
 * times, runner availability and the objectives, read from the store. With
 * `--format markdown` inside GitHub Actions the report is also appended to
 * the job summary. Reads the store only; never changes it.
 */
import { Option, type Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import { ExitCode, UsageError } from '../../errors.js';
import { appendStepSummary } from '../../github/actions/index.js';
import { openCliStore } from '../../report/cli-store.js';
import { collectReportInput, computeReport, formatReport, REPORT_FORMATS, type ReportFormat } from '../../report/index.js';
import type { CommandRunner } from '../program.js';

interface ReportOptions {
  since: string;
  env?: string;
  format?: ReportFormat;
  db?: string;
}

function sinceMs(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch {
    // answered below with the flag's name
  }
  throw new UsageError(`--since ${JSON.stringify(text)} is not a positive duration`, { code: 'report.since', hint: 'write e.g. --since 30d, --since 12h or --since 90m' });
}

export function register(program: Command, run: CommandRunner, now: () => number = () => Date.now()): void {
  program
    .command('report')
    .description('deploy success rate, durations, rollbacks, failovers, recovery times, runner availability and the objectives')
    .option('--since <duration>', 'how far back to look (e.g. 30d, 12h)', '30d')
    .option('--env <environment>', 'only this environment')
    .addOption(new Option('--format <format>', 'output form (default: table; json with --json)').choices(REPORT_FORMATS))
    .option('--db <url>', 'store: a SQLite path or postgres:// URL (default: server.database of pitcrew.yml)')
    .action(
      run(async (ctx, cmd) => {
        const opts = cmd.opts<ReportOptions>();
        const window = sinceMs(opts.since);
        const format: ReportFormat = opts.format ?? (ctx.globals.json ? 'json' : 'table');
        const store = await openCliStore(ctx, opts.db);
        let text: string;
        try {
          const to = now();
          const input = await collectReportInput(store, { from: to - window, to, environment: opts.env ?? null });
          text = formatReport(computeReport(input), format);
        } finally {
          await store.close();
        }
        ctx.io.stdout.write(text);
        if (format === 'markdown' && ctx.env.GITHUB_STEP_SUMMARY) appendStepSummary(text, { env: ctx.env, masker: ctx.masker });
        return ExitCode.ok;
      }),
    );
}

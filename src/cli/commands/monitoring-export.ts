/**
 * `pitcrew monitoring export --out DIR`: writes the Prometheus scrape jobs,
 * alert rules with their promtool tests, Grafana dashboards and an
 * Alertmanager route for the runners and environments in pitcrew.yml.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { exportMonitoring } from '../../observability/export.js';
import { packageRoot } from '../../version.js';
import { loadCliConfig } from '../load-config.js';
import type { CommandRunner } from '../program.js';

/** The installed package's root: its docs/runbooks are what the alerts link to by default. */
function packageRootUrl(): string {
  const root = packageRoot();
  if (root === undefined) {
    throw new UsageError('cannot find the pitcrew package (its package.json) above the running code, so there is no default runbook location', {
      hint: 'pass --runbook-base-url with where docs/runbooks/ is served',
    });
  }
  return pathToFileURL(root).href.replace(/\/+$/, '');
}

function parseFactor(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--for-scale "${raw}" must be a number above 0, e.g. 0.1`);
  return n;
}

export function register(program: Command, run: CommandRunner): void {
  const monitoring = program.command('monitoring').description('monitoring files for Prometheus, Grafana and Alertmanager');
  monitoring
    .command('export')
    .description('write scrape config, alert rules with promtool tests, Grafana dashboards and an Alertmanager route')
    .requiredOption('--out <dir>', 'folder to write into (created if missing)')
    .option('--job-prefix <name>', 'prefix of the scrape job names', 'pitcrew')
    .option('--runbook-base-url <url>', 'where docs/runbooks/ is served (default: this installation, as a file:// URL)')
    .option('--for-scale <factor>', "multiply every alert's for: duration, e.g. 0.1; for tests and demos only", parseFactor)
    .action(
      run(async (ctx, cmd) => {
        const opts = cmd.opts<{ out: string; jobPrefix: string; runbookBaseUrl?: string; forScale?: number }>();
        const { config } = await loadCliConfig(ctx);
        const outDir = resolve(ctx.io.cwd, opts.out);
        const { files } = await exportMonitoring(outDir, {
          runners: config.runners.map((r) => ({ name: r.name, agentUrl: r.agentUrl })),
          serverUrl: config.server.url,
          environments: Object.entries(config.environments).map(([name, env]) => ({ name, lockTtlMs: env.lock.ttl })),
          forScale: opts.forScale,
          jobPrefix: opts.jobPrefix,
          runbookBaseUrl: opts.runbookBaseUrl ?? packageRootUrl(),
        });
        if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify({ outDir, files }) + '\n');
        else for (const f of files) ctx.io.stdout.write(`${join(outDir, f)}\n`);
        return ExitCode.ok;
      }),
    );
}

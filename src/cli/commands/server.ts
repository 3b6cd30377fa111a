/**
 * `pitcrew server [--listen ADDR] [--db URL]`: runs the control plane until
 * SIGINT or SIGTERM, then closes agent connections, the HTTP socket and the
 * store, and exits 0. Runners and environments come from the configuration
 * file, which is required.
 *
 * Every log line goes to the process's stderr port with secret values masked;
 * this command must never print a token or the webhook secret.
 */
import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { loadCliConfig } from '../load-config.js';
import { DEFAULT_WEBHOOK_SECRET_ENV } from '../../config/schema.js';
import { ExitCode, UsageError } from '../../errors.js';
import { createGitHubClient } from '../../github/client.js';
import { createServer, createServerMetrics, listen, parseListen, type ApiToken, type Log } from '../../server/index.js';
import { openCommandStore } from '../store.js';
import type { CliContext } from '../context.js';
import type { Env } from '../io.js';
import type { CommandRunner } from '../program.js';
import { nextStopSignal, type StopSignal } from '../signals.js';

export interface ServerOptions {
  listen?: string;
  db?: string;
}


export function register(program: Command, run: CommandRunner): void {
  program
    .command('server')
    .description('run the control-plane server: fleet health, runner selection, deploy locks, GitHub webhooks (until SIGINT/SIGTERM)')
    .option('--listen <addr>', 'HOST:PORT to listen on (default: server.listen, 127.0.0.1:8080)')
    .option('--db <url>', 'store: a SQLite path or postgres:// URL (default: server.database)')
    .action(run((ctx, cmd) => serverCommand(ctx, cmd.opts<ServerOptions>())));
}

export async function serverCommand(ctx: CliContext, opts: ServerOptions, untilStopped: StopSignal = nextStopSignal): Promise<number> {
  const loaded = await loadCliConfig(ctx);
  const { config } = loaded;
  // stderr is masked by construction; the configuration's secrets are registered by loadCliConfig.
  const log: Log = (message, meta) => {
    ctx.io.stderr.write(`${new Date().toISOString()} ${message}${meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : ''}\n`);
  };
  const tokens = resolveTokens(config, ctx.env);
  const address = parseListen(opts.listen ?? config.server.listen, opts.listen ? '--listen' : 'server.listen');
  const webhookSecretEnv = config.github?.webhookSecretEnv ?? DEFAULT_WEBHOOK_SECRET_ENV;
  const webhookSecret = ctx.env[webhookSecretEnv] || undefined;
  if (!webhookSecret) log('webhook secret not set; GitHub deliveries will be refused', { variable: webhookSecretEnv });

  const metrics = createServerMetrics(config);
  const github = githubClient(config, ctx.env, metrics.githubResponse, log);
  const store = await openCommandStore(ctx, loaded, opts.db);
  try {
    const server = createServer({ config, store, tokens, webhookSecret, github, log, metrics, mask: (text) => ctx.masker.mask(text) });
    await server.start();
    const authEnabled = await server.authEnabled();
    let listening;
    try {
      listening = await listen(server, address, { authEnabled });
    } catch (err) {
      await server.stop();
      throw err;
    }
    log('pitcrew server listening', { url: listening.url, store: store.backend, runners: config.runners.length, auth: authEnabled });
    const signal = await untilStopped();
    log('stopping', { signal });
    await server.stop();
    await listening.close();
  } finally {
    await store.close();
  }
  log('stopped');
  return ExitCode.ok;
}

function resolveTokens(config: Config, env: Env): ApiToken[] {
  return config.server.tokens.map((t, i) => {
    const value = env[t.env];
    if (!value) {
      throw new UsageError(`server.tokens[${i}] (${t.name}): variable ${t.env} is not set`, { hint: `set ${t.env} to the token's value, or remove the token from the configuration` });
    }
    return { name: t.name, role: t.role, value };
  });
}

function githubClient(config: Config, env: Env, onStatus: (status: number, remaining?: number) => void, log: Log) {
  if (!config.github) return undefined;
  const token = env[config.github.tokenEnv];
  if (!token) {
    log('GitHub token not set; jobs lost with their runner will not be re-run', { variable: config.github.tokenEnv });
    return undefined;
  }
  const { owner, repo, apiUrl, runners } = config.github;
  return createGitHubClient({ token, owner, repo, apiUrl, runnersScope: runners, onResponse: (r) => onStatus(r.status, r.rateLimitRemaining), warn: (m) => log('GitHub notice', { message: m }) });
}

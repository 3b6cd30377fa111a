/**
 * `pitcrew token create --role ROLE --name NAME [--expires DURATION]`,
 * `pitcrew token revoke NAME`, `pitcrew token list`: the API tokens kept in
 * the store, worked on directly (`--db`, else server.database; a running
 * server sees a change at its next request). `create` prints the token on
 * stdout once, alone on its line (details go to stderr); it is registered
 * with the masker first, so it appears nowhere else and GitHub Actions masks
 * it in the log. The store keeps only its hash. Each change is audited with
 * the actor ($GITHUB_ACTOR, else $USER, else `cli`). A revoked name may be
 * given to a new token; a live one may not.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ROLES, type Role } from '../../config/index.js';
import { ExitCode, UsageError } from '../../errors.js';
import { formatTime } from '../../report/units.js';
import { expiryMs, newApiToken, TOKEN_NAME, TOKEN_NAME_RULE } from '../../server/api-tokens.js';
import type { ApiToken, Store } from '../../store/index.js';
import { actorOf } from '../actor.js';
import type { CliContext } from '../context.js';
import { loadCliConfig } from '../load-config.js';
import type { CommandRunner } from '../program.js';
import { openCommandStore } from '../store.js';

const dbOption = ['--db <url>', 'store: a SQLite path or postgres:// URL (default: server.database of pitcrew.yml)'] as const;

interface CreateOptions {
  role: string;
  name: string;
  expires?: string;
  db?: string;
}

/** Opens the store as `pitcrew incident` does, and returns the names server.tokens uses (when the configuration is there). */
async function withStore<T>(ctx: CliContext, db: string | undefined, fn: (store: Store, configured: string[]) => Promise<T>): Promise<T> {
  const loaded = db === undefined && (ctx.globals.configExplicit || existsSync(ctx.globals.configPath)) ? await loadCliConfig(ctx) : undefined;
  const store = await openCommandStore(ctx, loaded, db);
  try {
    return await fn(store, loaded?.config.server.tokens.map((t) => t.name) ?? []);
  } finally {
    await store.close();
  }
}

function checkCreate(opts: CreateOptions, now: number): { role: Role; expiresAt: number | null } {
  if (!(ROLES as readonly string[]).includes(opts.role)) {
    throw new UsageError(`--role: unknown role "${opts.role}"; the roles are ${ROLES.join(', ')}`, { code: 'token.role', hint: 'docs/server.md lists what each role may do' });
  }
  if (!TOKEN_NAME.test(opts.name)) throw new UsageError(`--name: "${opts.name}" is not a token name: use ${TOKEN_NAME_RULE}`, { code: 'token.name' });
  if (opts.expires === undefined) return { role: opts.role as Role, expiresAt: null };
  const ms = expiryMs(opts.expires);
  if (ms === undefined) throw new UsageError(`--expires: "${opts.expires}" is not a duration`, { code: 'token.expires', hint: 'write e.g. 90d, 12h or 30m' });
  return { role: opts.role as Role, expiresAt: now + ms };
}

function status(t: ApiToken, now: number): string {
  return t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'live';
}

function listText(tokens: ApiToken[], now: number): string {
  if (tokens.length === 0) return 'no tokens (create one with: pitcrew token create --role ROLE --name NAME)\n';
  const time = (ms: number | null) => (ms === null ? '-' : formatTime(ms));
  const rows = [['NAME', 'ROLE', 'STATUS', 'CREATED', 'BY', 'EXPIRES', 'REVOKED'], ...tokens.map((t) => [
    t.name, t.role, status(t, now), time(t.createdAt), t.createdBy, time(t.expiresAt), time(t.revokedAt),
  ])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

export function register(program: Command, run: CommandRunner, now: () => number = () => Date.now()): void {
  const token = program.command('token').description('create, revoke and list the API tokens of the server (kept in the store, hashed)');
  token
    .command('create')
    .description('create an API token and print it once on stdout (the store keeps only its hash)')
    .requiredOption('--role <role>', `what the token may do: ${ROLES.join(', ')} (docs/server.md)`)
    .requiredOption('--name <name>', 'a name for the token, unique among tokens not revoked; the audit log names the token by it')
    .option('--expires <duration>', 'the token stops working after this long, e.g. 90d, 12h (default: never)')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const opts = cmd.opts<CreateOptions>();
        const at = now();
        const { role, expiresAt } = checkCreate(opts, at);
        return withStore(ctx, opts.db, async (store, configured) => {
          if (configured.includes(opts.name)) {
            throw new UsageError(`--name: "${opts.name}" is a token of server.tokens in the configuration`, { code: 'token.exists', hint: 'pick another name, so the audit log names one token' });
          }
          const { token: value, hash } = newApiToken();
          const created = await store.createApiToken({ name: opts.name, role, hash, createdAt: at, createdBy: actorOf(ctx), expiresAt });
          // Registered before it is printed: masked everywhere else, and announced to GitHub Actions first.
          ctx.masker.register(value, `the new token ${opts.name}`);
          if (ctx.globals.json) {
            ctx.io.stdout.write(`{"token":${JSON.stringify(created)},"value":"`);
            ctx.reveal(value);
            ctx.io.stdout.write('"}\n');
          } else {
            ctx.reveal(`${value}\n`);
            const until = expiresAt === null ? 'does not expire' : `expires ${formatTime(expiresAt)}`;
            ctx.io.stderr.write(`created token ${created.name} (role ${role}, ${until}); this is the only time it is shown: keep it now\n`);
          }
          return ExitCode.ok;
        });
      }),
    );
  token
    .command('revoke')
    .description('revoke an API token: it stops working at the server\'s next request; the record stays')
    .argument('<name>', 'the token\'s name (see: pitcrew token list)')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const name = cmd.args[0];
        return withStore(ctx, cmd.opts<{ db?: string }>().db, async (store, configured) => {
          const revoked = await store.revokeApiToken(name, actorOf(ctx), now());
          if (revoked === null) {
            const stale = (await store.listApiTokens()).some((t) => t.name === name);
            const why = stale ? `token "${name}" is revoked already` : configured.includes(name) ? `"${name}" is a token of server.tokens: remove it from the configuration` : `no token named "${name}"`;
            throw new UsageError(why, { code: 'token.unknown', hint: 'list the tokens with: pitcrew token list' });
          }
          if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify({ token: revoked }) + '\n');
          else ctx.io.stdout.write(`token ${name} revoked\n`);
          return ExitCode.ok;
        });
      }),
    );
  token
    .command('list')
    .description('every API token made with token create, revoked ones included (never a token or its hash)')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const list = await withStore(ctx, cmd.opts<{ db?: string }>().db, (store) => store.listApiTokens());
        ctx.io.stdout.write(ctx.globals.json ? JSON.stringify({ tokens: list }) + '\n' : listText(list, now()));
        return ExitCode.ok;
      }),
    );
}

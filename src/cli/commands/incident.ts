/**
 * `pitcrew incident list [--all]`, `pitcrew incident ack ID`,
 * `pitcrew incident resolve ID --note TEXT`: incidents from the store, and
 * the two things a person does to them, each recorded in the audit log with
 * the actor ($GITHUB_ACTOR, else $USER, else `cli`). Never changes an
 * incident it could not find: an unknown id is a usage error naming it.
 */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { openCliStore } from '../../report/cli-store.js';
import { formatTime } from '../../report/units.js';
import type { Incident, Store } from '../../store/index.js';
import { actorOf } from '../actor.js';
import type { CliContext } from '../context.js';
import type { CommandRunner } from '../program.js';

const dbOption = ['--db <url>', 'store: a SQLite path or postgres:// URL (default: server.database of pitcrew.yml)'] as const;

function status(i: Incident): string {
  return i.resolvedAt !== null ? 'resolved' : i.acknowledgedAt !== null ? 'acknowledged' : 'open';
}

async function withStore<T>(ctx: CliContext, db: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(ctx, db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function mustFind(store: Store, id: string): Promise<Incident> {
  const found = (await store.listIncidents('all')).find((i) => i.id === id);
  if (found === undefined) throw new UsageError(`no incident with id "${id}"`, { code: 'incident.unknown', hint: 'list the incidents with: pitcrew incident list --all' });
  return found;
}

function listText(incidents: Incident[]): string {
  if (incidents.length === 0) return 'no incidents\n';
  const rows = [['ID', 'KIND', 'STATUS', 'OPENED', 'ENVIRONMENT', 'RUNNER', 'CAUSE'], ...incidents.map((i) => [
    i.id, i.kind, status(i), formatTime(i.openedAt), i.environment ?? '-', i.runner ?? '-', i.cause.replace(/\s+/g, ' '),
  ])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

function done(ctx: CliContext, incident: Incident, changed: boolean, verb: string): number {
  if (ctx.globals.json) ctx.io.stdout.write(JSON.stringify({ incident, changed }) + '\n');
  else ctx.io.stdout.write(changed ? `incident ${incident.id} ${verb}\n` : `incident ${incident.id} was already ${verb}; nothing changed\n`);
  return ExitCode.ok;
}

export function register(program: Command, run: CommandRunner, now: () => number = () => Date.now()): void {
  const incident = program.command('incident').description('list, acknowledge and resolve incidents');
  incident
    .command('list')
    .description('open incidents, newest first (all of them with --all)')
    .option('--all', 'include resolved incidents')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const opts = cmd.opts<{ all?: boolean; db?: string }>();
        const list = await withStore(ctx, opts.db, (s) => s.listIncidents(opts.all === true ? 'all' : 'open'));
        ctx.io.stdout.write(ctx.globals.json ? JSON.stringify({ incidents: list }) + '\n' : listText(list));
        return ExitCode.ok;
      }),
    );
  incident
    .command('ack')
    .description('acknowledge an incident: someone is on it')
    .argument('<id>', 'incident id (see: pitcrew incident list)')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const id = cmd.args[0];
        return withStore(ctx, cmd.opts<{ db?: string }>().db, async (store) => {
          const before = await mustFind(store, id);
          if (before.acknowledgedAt !== null) return done(ctx, before, false, 'acknowledged');
          const at = now();
          const after = await store.acknowledgeIncident(id, at);
          await store.appendAudit({ at, actor: actorOf(ctx), action: 'incident.ack', target: `incident:${id}`, detail: null });
          return done(ctx, after, true, 'acknowledged');
        });
      }),
    );
  incident
    .command('resolve')
    .description('resolve an incident, saying what was done')
    .argument('<id>', 'incident id (see: pitcrew incident list)')
    .requiredOption('--note <text>', 'what fixed it (kept with the incident and in the audit log)')
    .option(...dbOption)
    .action(
      run(async (ctx, cmd) => {
        const id = cmd.args[0];
        const opts = cmd.opts<{ note: string; db?: string }>();
        if (opts.note.trim() === '') throw new UsageError('--note is empty', { code: 'incident.note', hint: 'say what fixed it, e.g. --note "replaced the disk on ci-2"' });
        return withStore(ctx, opts.db, async (store) => {
          const before = await mustFind(store, id);
          if (before.resolvedAt !== null) return done(ctx, before, false, 'resolved');
          const at = now();
          const after = await store.resolveIncident(id, at, opts.note);
          await store.appendAudit({ at, actor: actorOf(ctx), action: 'incident.resolve', target: `incident:${id}`, detail: opts.note });
          return done(ctx, after, true, 'resolved');
        });
      }),
    );
}

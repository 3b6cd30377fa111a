/**
 * Runners, their heartbeats and state history. Records facts only; deciding
 * a runner's state is the fleet's job, never the store's.
 */
import type { Selectable } from 'kysely';
import { StoreNotFoundError } from './errors.js';
import { fromJson, guarded, toJson, type Ctx } from './context.js';
import type { Heartbeat, Runner, RunnerInput, RunnerState, RunnerStateChange } from './records.js';
import type { RunnersTable } from './schema.js';

function toRunner(r: Selectable<RunnersTable>): Runner {
  return {
    name: r.name,
    labels: fromJson<string[]>(r.labels, []),
    environments: fromJson<string[]>(r.environments, []),
    priority: r.priority,
    authorized: r.authorized === 1,
    lastHeartbeatAt: r.last_heartbeat_at,
    state: r.state as RunnerState,
    stateReasons: fromJson<string[]>(r.state_reasons, []),
    stateChangedAt: r.state_changed_at,
    probes: fromJson<unknown>(r.probes, null),
  };
}

export async function upsertRunner(ctx: Ctx, input: RunnerInput, now: number): Promise<Runner> {
  const facts = {
    labels: JSON.stringify(input.labels),
    environments: JSON.stringify(input.environments),
    priority: input.priority,
    authorized: input.authorized ? 1 : 0,
    updated_at: now,
  };
  await ctx.backend.writeTx((trx) =>
    trx
      .insertInto('runners')
      .values({ name: input.name, ...facts, state: 'unknown', state_reasons: '[]' })
      .onConflict((oc) => oc.column('name').doUpdateSet(facts))
      .execute(),
  );
  const runner = await getRunner(ctx, input.name);
  if (runner === null) throw new StoreNotFoundError('runner', input.name);
  return runner;
}

export async function getRunner(ctx: Ctx, name: string): Promise<Runner | null> {
  const row = await ctx.backend.db.selectFrom('runners').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? null : toRunner(row);
}

export async function listRunners(ctx: Ctx): Promise<Runner[]> {
  const rows = await ctx.backend.db.selectFrom('runners').selectAll().orderBy('name').execute();
  return rows.map(toRunner);
}

export async function recordHeartbeat(ctx: Ctx, runner: string, at: number, probes: unknown): Promise<void> {
  await recordHeartbeats(ctx, [{ runner, at, probes }]);
}

/** Rows per statement: well under SQLite's 32766 bound variables at 10 columns a row. */
const HEARTBEAT_CHUNK = 500;

/** Records many runners' latest heartbeats in one transaction (the last one wins for a runner named twice). */
export async function recordHeartbeats(ctx: Ctx, beats: ReadonlyArray<{ runner: string; at: number; probes: unknown }>): Promise<void> {
  const latest = new Map(beats.map((b) => [b.runner, { runner: b.runner, at: b.at, probes: toJson(b.probes) }]));
  if (latest.size === 0) return;
  const rows = [...latest.values()];
  await ctx.backend.writeTx(async (trx) => {
    for (let i = 0; i < rows.length; i += HEARTBEAT_CHUNK) {
      const chunk = rows.slice(i, i + HEARTBEAT_CHUNK);
      await trx
        .insertInto('runners')
        .values(chunk.map((r) => ({ name: r.runner, labels: '[]', environments: '[]', priority: 0, authorized: 0, state: 'unknown', state_reasons: '[]', updated_at: r.at, last_heartbeat_at: r.at, probes: r.probes })))
        .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ last_heartbeat_at: eb.ref('excluded.last_heartbeat_at'), probes: eb.ref('excluded.probes') })))
        .execute();
      await trx
        .insertInto('heartbeats')
        .values(chunk)
        .onConflict((oc) => oc.column('runner').doUpdateSet((eb) => ({ at: eb.ref('excluded.at'), probes: eb.ref('excluded.probes') })))
        .execute();
    }
  });
}

export async function latestHeartbeat(ctx: Ctx, runner: string): Promise<Heartbeat | null> {
  const row = await ctx.backend.db.selectFrom('heartbeats').selectAll().where('runner', '=', runner).executeTakeFirst();
  return row === undefined ? null : { runner: row.runner, at: row.at, probes: fromJson<unknown>(row.probes, null) };
}

export async function setRunnerState(ctx: Ctx, runner: string, state: RunnerState, reasons: string[], at: number): Promise<{ changed: boolean }> {
  for (const r of reasons) guarded(ctx, r, 'runner.stateReasons');
  const reasonsText = JSON.stringify(reasons);
  return ctx.backend.writeTx(async (trx) => {
    await ctx.backend.lockKey(trx, `runner:${runner}`);
    const row = await trx.selectFrom('runners').select('state').where('name', '=', runner).executeTakeFirst();
    if (row === undefined) throw new StoreNotFoundError('runner', runner);
    if (row.state === state) {
      await trx.updateTable('runners').set({ state_reasons: reasonsText }).where('name', '=', runner).execute();
      return { changed: false };
    }
    await trx.insertInto('runner_state_history').values({ runner, from_state: row.state, to_state: state, reasons: reasonsText, at }).execute();
    await trx.updateTable('runners').set({ state, state_reasons: reasonsText, state_changed_at: at }).where('name', '=', runner).execute();
    return { changed: true };
  });
}

export async function runnerStateHistory(ctx: Ctx, runner: string, sinceMs: number): Promise<RunnerStateChange[]> {
  const rows = await ctx.backend.db
    .selectFrom('runner_state_history')
    .selectAll()
    .where('runner', '=', runner)
    .where('at', '>=', sinceMs)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ runner: r.runner, from: r.from_state as RunnerState, to: r.to_state as RunnerState, reasons: fromJson<string[]>(r.reasons, []), at: r.at }));
}

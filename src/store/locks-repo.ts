/**
 * Per-environment deploy locks: a lease held by one owner, a FIFO queue of
 * waiters, and a fencing token that only grows. Every operation runs in one
 * serialized write transaction keyed by the environment, so concurrent
 * processes see each step whole. Never drops a live waiter, never reuses a
 * token (the counter lives in lock_fences, which is never deleted).
 */
import type { Kysely, Selectable } from 'kysely';
import { guarded, type Ctx } from './context.js';
import type { LockHolder, LockPoll, LockRenewal, LockStatus, LockWaiterInput, QueuedWaiter } from './records.js';
import type { Database, LocksTable } from './schema.js';

type Trx = Kysely<Database>;
const SYSTEM_ACTOR = 'pitcrew';

function toHolder(r: Selectable<LocksTable>): LockHolder {
  return {
    environment: r.environment,
    ticket: r.ticket,
    ownerToken: r.owner_token,
    runner: r.runner,
    description: r.description,
    fencingToken: r.fencing_token,
    grantedAt: r.granted_at,
    expiresAt: r.expires_at,
  };
}

function inTx<T>(ctx: Ctx, environment: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return ctx.backend.writeTx(async (trx) => {
    await ctx.backend.lockKey(trx, `lock:${environment}`);
    return fn(trx);
  });
}

async function holderOf(trx: Trx, environment: string): Promise<LockHolder | null> {
  const row = await trx.selectFrom('locks').selectAll().where('environment', '=', environment).executeTakeFirst();
  return row === undefined ? null : toHolder(row);
}

/** Highest token ever granted for the environment (0 if none). */
export async function lastFencingToken(trx: Trx, environment: string): Promise<number> {
  const row = await trx.selectFrom('lock_fences').select('last_token').where('environment', '=', environment).executeTakeFirst();
  return row?.last_token ?? 0;
}

async function audit(ctx: Ctx, trx: Trx, at: number, actor: string, action: string, target: string, detail: object): Promise<void> {
  const text = guarded(ctx, JSON.stringify(detail), 'audit.detail');
  await trx.insertInto('audit_log').values({ at, actor, action, target, detail: text }).execute();
}

/** Removes a holder whose lease has passed, recording it in the audit log. */
async function expireHolder(ctx: Ctx, trx: Trx, environment: string, now: number): Promise<LockHolder | null> {
  const holder = await holderOf(trx, environment);
  if (holder === null || holder.expiresAt > now) return holder;
  await trx.deleteFrom('locks').where('environment', '=', environment).execute();
  await audit(ctx, trx, now, SYSTEM_ACTOR, 'lock.expired', environment, {
    ownerToken: holder.ownerToken, runner: holder.runner, description: holder.description, fencingToken: holder.fencingToken, expiresAt: holder.expiresAt,
  });
  return null;
}

/** Drops waiters whose waiter lease lapsed (their process stopped polling), recording each. */
async function dropDeadWaiters(ctx: Ctx, trx: Trx, environment: string, now: number): Promise<void> {
  const dead = await trx.selectFrom('lock_waiters').selectAll().where('environment', '=', environment).where('lease_expires_at', '<=', now).execute();
  for (const w of dead) {
    await trx.deleteFrom('lock_waiters').where('ticket', '=', w.ticket).execute();
    await audit(ctx, trx, now, SYSTEM_ACTOR, 'lock.waiter-dropped', environment, {
      ticket: w.ticket, ownerToken: w.owner_token, runner: w.runner, description: w.description, leaseExpiresAt: w.lease_expires_at,
    });
  }
}

async function nextFencingToken(trx: Trx, environment: string): Promise<number> {
  const last = await trx.selectFrom('lock_fences').select('last_token').where('environment', '=', environment).executeTakeFirst();
  const next = (last?.last_token ?? 0) + 1;
  if (last === undefined) await trx.insertInto('lock_fences').values({ environment, last_token: next }).execute();
  else await trx.updateTable('lock_fences').set({ last_token: next }).where('environment', '=', environment).execute();
  return next;
}

/** Grants a free lock to the head of the queue. */
async function grantHead(trx: Trx, environment: string, now: number): Promise<void> {
  const head = await trx.selectFrom('lock_waiters').selectAll().where('environment', '=', environment).orderBy('ticket').limit(1).executeTakeFirst();
  if (head === undefined) return;
  const fencingToken = await nextFencingToken(trx, environment);
  await trx.deleteFrom('lock_waiters').where('ticket', '=', head.ticket).execute();
  await trx
    .insertInto('locks')
    .values({
      environment, ticket: head.ticket, owner_token: head.owner_token, runner: head.runner, description: head.description,
      fencing_token: fencingToken, granted_at: now, expires_at: now + head.ttl_ms,
    })
    .execute();
}

async function queueOf(trx: Trx, environment: string): Promise<QueuedWaiter[]> {
  const rows = await trx.selectFrom('lock_waiters').selectAll().where('environment', '=', environment).orderBy('ticket').execute();
  return rows.map((w, i) => ({
    ticket: w.ticket, position: i + 1, ownerToken: w.owner_token, runner: w.runner, description: w.description,
    enqueuedAt: w.enqueued_at, leaseExpiresAt: w.lease_expires_at,
  }));
}

export async function enqueueLock(ctx: Ctx, environment: string, waiter: LockWaiterInput, now: number, waiterLeaseMs: number): Promise<{ ticket: number }> {
  guarded(ctx, waiter.description, 'lock.description');
  return inTx(ctx, environment, async (trx) => {
    const holder = await holderOf(trx, environment);
    if (holder !== null && holder.ownerToken === waiter.ownerToken) return { ticket: holder.ticket };
    const existing = await trx.selectFrom('lock_waiters').select('ticket').where('environment', '=', environment).where('owner_token', '=', waiter.ownerToken).executeTakeFirst();
    if (existing !== undefined) {
      await trx.updateTable('lock_waiters').set({ lease_expires_at: now + waiterLeaseMs }).where('ticket', '=', existing.ticket).execute();
      return { ticket: existing.ticket };
    }
    const row = await trx
      .insertInto('lock_waiters')
      .values({
        environment, owner_token: waiter.ownerToken, runner: waiter.runner ?? null, description: waiter.description,
        ttl_ms: waiter.ttlMs, enqueued_at: now, lease_expires_at: now + waiterLeaseMs,
      })
      .returning('ticket')
      .executeTakeFirstOrThrow();
    return { ticket: row.ticket };
  });
}

export async function pollLock(ctx: Ctx, environment: string, ownerToken: string, now: number, waiterLeaseMs: number): Promise<LockPoll> {
  return inTx(ctx, environment, async (trx) => {
    let holder = await expireHolder(ctx, trx, environment, now);
    // The caller is alive (it is polling): renew its waiter lease before dropping the dead.
    await trx.updateTable('lock_waiters').set({ lease_expires_at: now + waiterLeaseMs }).where('environment', '=', environment).where('owner_token', '=', ownerToken).execute();
    await dropDeadWaiters(ctx, trx, environment, now);
    if (holder === null) {
      await grantHead(trx, environment, now);
      holder = await holderOf(trx, environment);
    }
    if (holder !== null && holder.ownerToken === ownerToken) {
      return { status: 'granted', ticket: holder.ticket, fencingToken: holder.fencingToken, grantedAt: holder.grantedAt, expiresAt: holder.expiresAt };
    }
    const queue = await queueOf(trx, environment);
    const mine = queue.find((w) => w.ownerToken === ownerToken);
    if (mine === undefined) return { status: 'lost' };
    return { status: 'waiting', ticket: mine.ticket, position: mine.position, ahead: mine.position - 1, holder };
  });
}

export async function renewLock(ctx: Ctx, environment: string, ownerToken: string, fencingToken: number, now: number, ttlMs: number): Promise<LockRenewal> {
  return inTx(ctx, environment, async (trx) => {
    const holder = await expireHolder(ctx, trx, environment, now);
    if (holder === null || holder.ownerToken !== ownerToken || holder.fencingToken !== fencingToken) {
      return { status: 'lost', holder };
    }
    const expiresAt = now + ttlMs;
    await trx.updateTable('locks').set({ expires_at: expiresAt }).where('environment', '=', environment).execute();
    return { status: 'renewed', expiresAt };
  });
}

export async function releaseLock(ctx: Ctx, environment: string, ownerToken: string): Promise<boolean> {
  return inTx(ctx, environment, async (trx) => {
    const held = await trx.deleteFrom('locks').where('environment', '=', environment).where('owner_token', '=', ownerToken).executeTakeFirst();
    const queued = await trx.deleteFrom('lock_waiters').where('environment', '=', environment).where('owner_token', '=', ownerToken).executeTakeFirst();
    return Number(held.numDeletedRows) + Number(queued.numDeletedRows) > 0;
  });
}

export async function forceReleaseLock(ctx: Ctx, environment: string, actor: string, reason: string, now: number): Promise<LockHolder | null> {
  guarded(ctx, reason, 'lock.forceReason');
  return inTx(ctx, environment, async (trx) => {
    const holder = await holderOf(trx, environment);
    if (holder !== null) await trx.deleteFrom('locks').where('environment', '=', environment).execute();
    await audit(ctx, trx, now, actor, 'lock.force-release', environment, {
      reason,
      holder: holder === null ? null : { ownerToken: holder.ownerToken, runner: holder.runner, description: holder.description, fencingToken: holder.fencingToken },
    });
    return holder;
  });
}

export async function lockStatus(ctx: Ctx, environment: string, now: number): Promise<LockStatus> {
  return inTx(ctx, environment, async (trx) => {
    const holder = await holderOf(trx, environment);
    return {
      environment,
      holder: holder === null ? null : { ...holder, expired: holder.expiresAt <= now },
      queue: await queueOf(trx, environment),
      lastFencingToken: await lastFencingToken(trx, environment),
    };
  });
}

/**
 * The audit log: who did what, to what, and when. Append-only; nothing here
 * updates or deletes an entry.
 */
import { guarded, type Ctx } from './context.js';
import type { AuditEntry, AuditFilter, AuditInput } from './records.js';

export async function appendAudit(ctx: Ctx, e: AuditInput): Promise<AuditEntry> {
  guarded(ctx, e.detail, 'audit.detail');
  const row = await ctx.backend.writeTx((trx) =>
    trx.insertInto('audit_log').values({ at: e.at, actor: e.actor, action: e.action, target: e.target, detail: e.detail }).returning('id').executeTakeFirstOrThrow(),
  );
  return { id: row.id, ...e };
}

export async function listAudit(ctx: Ctx, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let q = ctx.backend.db.selectFrom('audit_log').selectAll();
  if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.action !== undefined) q = q.where('action', '=', filter.action);
  q = q.orderBy('at', 'desc').orderBy('id', 'desc');
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  return await q.execute();
}

/**
 * Incidents (a runner offline, a deploy failed, a rollback incomplete): opened,
 * acknowledged, resolved. The first acknowledgement and resolution win;
 * repeating one never moves its time.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { StoreNotFoundError } from './errors.js';
import { guarded, type Ctx } from './context.js';
import type { Incident, IncidentInput, IncidentKey } from './records.js';
import type { IncidentsTable } from './schema.js';

function toIncident(r: Selectable<IncidentsTable>): Incident {
  return {
    id: r.id, kind: r.kind, openedAt: r.opened_at, detectedAt: r.detected_at, acknowledgedAt: r.acknowledged_at,
    resolvedAt: r.resolved_at, cause: r.cause, environment: r.environment, runner: r.runner, deploymentId: r.deployment_id,
    resolutionNote: r.resolution_note,
  };
}

async function mustGet(ctx: Ctx, id: string): Promise<Incident> {
  const row = await ctx.backend.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new StoreNotFoundError('incident', id);
  return toIncident(row);
}

export async function openIncident(ctx: Ctx, i: IncidentInput): Promise<Incident> {
  guarded(ctx, i.cause, 'incident.cause');
  const id = i.id ?? randomUUID();
  await ctx.backend.writeTx((trx) =>
    trx
      .insertInto('incidents')
      .values({
        id, kind: i.kind, opened_at: i.openedAt, detected_at: i.detectedAt, cause: i.cause,
        environment: i.environment ?? null, runner: i.runner ?? null, deployment_id: i.deploymentId ?? null,
      })
      .execute(),
  );
  return mustGet(ctx, id);
}

export async function acknowledgeIncident(ctx: Ctx, id: string, at: number): Promise<Incident> {
  await ctx.backend.writeTx((trx) => trx.updateTable('incidents').set({ acknowledged_at: at }).where('id', '=', id).where('acknowledged_at', 'is', null).execute());
  return mustGet(ctx, id);
}

export async function resolveIncident(ctx: Ctx, id: string, at: number, note: string | null): Promise<Incident> {
  guarded(ctx, note, 'incident.resolutionNote');
  await ctx.backend.writeTx((trx) =>
    trx.updateTable('incidents').set({ resolved_at: at, resolution_note: note }).where('id', '=', id).where('resolved_at', 'is', null).execute(),
  );
  return mustGet(ctx, id);
}

export async function listIncidents(ctx: Ctx, which: 'open' | 'all', limit?: number): Promise<Incident[]> {
  let q = ctx.backend.db.selectFrom('incidents').selectAll();
  if (which === 'open') q = q.where('resolved_at', 'is', null);
  q = q.orderBy('opened_at', 'desc').orderBy('id');
  if (limit !== undefined) q = q.limit(limit);
  return (await q.execute()).map(toIncident);
}

export async function findOpenIncident(ctx: Ctx, key: IncidentKey): Promise<Incident | null> {
  const env = key.environment ?? null;
  const runner = key.runner ?? null;
  const row = await ctx.backend.db
    .selectFrom('incidents')
    .selectAll()
    .where('kind', '=', key.kind)
    .where('resolved_at', 'is', null)
    .where('environment', env === null ? 'is' : '=', env)
    .where('runner', runner === null ? 'is' : '=', runner)
    .orderBy('opened_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : toIncident(row);
}

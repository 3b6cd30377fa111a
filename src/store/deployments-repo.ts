/**
 * Deployments and their journal. A journal write is checked against the
 * environment's highest granted fencing token inside the same serialized
 * transaction as lock grants, so a process that lost its lock can never
 * append after a newer holder was granted.
 */
import type { Selectable } from 'kysely';
import { StaleFencingTokenError, StoreNotFoundError } from './errors.js';
import { guarded, type Ctx } from './context.js';
import { lastFencingToken } from './locks-repo.js';
import type { Deployment, DeploymentFilter, DeploymentInput, DeploymentPatch, JournalEvent, JournalEventInput } from './records.js';
import type { DeploymentsTable, JournalEventsTable } from './schema.js';

function toDeployment(r: Selectable<DeploymentsTable>): Deployment {
  return {
    id: r.id, environment: r.environment, version: r.version, digest: r.digest, runner: r.runner, actor: r.actor, state: r.state,
    startedAt: r.started_at, finishedAt: r.finished_at, result: r.result, fencingToken: r.fencing_token, error: r.error,
    lockWaitMs: r.lock_wait_ms,
  };
}

function toEvent(r: Selectable<JournalEventsTable>): JournalEvent {
  return {
    deploymentId: r.deployment_id, seq: r.seq, step: r.step, target: r.target, phase: r.phase, detail: r.detail,
    fencingToken: r.fencing_token, at: r.at,
  };
}

export async function getDeployment(ctx: Ctx, id: string): Promise<Deployment | null> {
  const row = await ctx.backend.db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toDeployment(row);
}

export async function createDeployment(ctx: Ctx, d: DeploymentInput): Promise<Deployment> {
  await ctx.backend.writeTx((trx) =>
    trx
      .insertInto('deployments')
      .values({
        id: d.id, environment: d.environment, version: d.version, digest: d.digest, runner: d.runner, actor: d.actor, state: d.state,
        started_at: d.startedAt, fencing_token: d.fencingToken ?? null, lock_wait_ms: d.lockWaitMs ?? null,
      })
      .execute(),
  );
  return (await getDeployment(ctx, d.id)) as Deployment;
}

export async function updateDeployment(ctx: Ctx, id: string, patch: DeploymentPatch): Promise<Deployment> {
  guarded(ctx, patch.error, 'deployment.error');
  const set: Partial<Omit<DeploymentsTable, 'id'>> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.runner !== undefined) set.runner = patch.runner;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.result !== undefined) set.result = patch.result;
  if (patch.fencingToken !== undefined) set.fencing_token = patch.fencingToken;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.lockWaitMs !== undefined) set.lock_wait_ms = patch.lockWaitMs;
  const updated = await ctx.backend.writeTx(async (trx) => {
    if (Object.keys(set).length === 0) {
      return (await trx.selectFrom('deployments').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    }
    const r = await trx.updateTable('deployments').set(set).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  });
  if (!updated) throw new StoreNotFoundError('deployment', id);
  return (await getDeployment(ctx, id)) as Deployment;
}

export async function listDeployments(ctx: Ctx, filter: DeploymentFilter = {}): Promise<Deployment[]> {
  let q = ctx.backend.db.selectFrom('deployments').selectAll();
  if (filter.environment !== undefined) q = q.where('environment', '=', filter.environment);
  if (filter.result !== undefined) q = q.where('result', '=', filter.result);
  if (filter.runner !== undefined) q = q.where('runner', '=', filter.runner);
  if (filter.since !== undefined) q = q.where('started_at', '>=', filter.since);
  q = q.orderBy('started_at', 'desc').orderBy('id', 'desc');
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  return (await q.execute()).map(toDeployment);
}

/** Rows per INSERT: far below every backend's bound-parameter limit (8 parameters a row). */
const JOURNAL_INSERT_ROWS = 100;

export async function appendJournal(ctx: Ctx, e: JournalEventInput): Promise<JournalEvent> {
  return (await appendJournalEvents(ctx, [e]))[0];
}

/**
 * Appends events of one deployment, in order, in one transaction: all or none.
 * A deployer's concurrent steps share a commit this way (src/deploy/journal.ts).
 */
export async function appendJournalEvents(ctx: Ctx, events: readonly JournalEventInput[]): Promise<JournalEvent[]> {
  if (events.length === 0) return [];
  const deploymentId = events[0].deploymentId;
  for (const [i, e] of events.entries()) {
    if (e.deploymentId !== deploymentId) {
      throw new TypeError(`journal events of one write must share a deployment: event ${i} is for ${e.deploymentId}, event 0 for ${deploymentId}`);
    }
    guarded(ctx, e.detail, 'journal.detail');
  }
  return ctx.backend.writeTx(async (trx) => {
    const dep = await trx.selectFrom('deployments').select('environment').where('id', '=', deploymentId).executeTakeFirst();
    if (dep === undefined) throw new StoreNotFoundError('deployment', deploymentId);
    await ctx.backend.lockKey(trx, `lock:${dep.environment}`);
    const current = await lastFencingToken(trx, dep.environment);
    const stale = events.find((e) => e.fencingToken < current);
    if (stale !== undefined) throw new StaleFencingTokenError(dep.environment, stale.fencingToken, current);
    const last = await trx
      .selectFrom('journal_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('deployment_id', '=', deploymentId)
      .executeTakeFirst();
    const first = Number(last?.seq ?? 0) + 1;
    const rows = events.map((e, i) => ({
      deployment_id: deploymentId, seq: first + i, step: e.step, target: e.target, phase: e.phase, detail: e.detail,
      fencing_token: e.fencingToken, at: e.at,
    }));
    for (let i = 0; i < rows.length; i += JOURNAL_INSERT_ROWS) {
      await trx.insertInto('journal_events').values(rows.slice(i, i + JOURNAL_INSERT_ROWS)).execute();
    }
    return rows.map(toEvent);
  });
}

export async function listJournal(ctx: Ctx, deploymentId: string): Promise<JournalEvent[]> {
  const rows = await ctx.backend.db.selectFrom('journal_events').selectAll().where('deployment_id', '=', deploymentId).orderBy('seq').execute();
  return rows.map(toEvent);
}

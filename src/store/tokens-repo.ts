/**
 * API tokens: created with their hash, found by hash, listed, revoked. Rows
 * are never deleted and never carry a token, only its SHA-256. Creating and
 * revoking write their audit entry in the same transaction, so a token never
 * exists without the record of who made it. Policy (roles, expiry) is the
 * caller's; this file only records.
 */
import type { Kysely, Selectable } from 'kysely';
import { ApiTokenExistsError } from './errors.js';
import { guarded, type Ctx } from './context.js';
import type { ApiToken, ApiTokenInput, StoredApiToken } from './records.js';
import type { ApiTokensTable, Database } from './schema.js';

type Trx = Kysely<Database>;

function toToken(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: r.id, name: r.name, role: r.role, createdAt: r.created_at, createdBy: r.created_by,
    expiresAt: r.expires_at, revokedAt: r.revoked_at, revokedBy: r.revoked_by,
  };
}

function live(trx: Trx, name: string) {
  return trx.selectFrom('api_tokens').selectAll().where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
}

async function audit(trx: Trx, at: number, actor: string, action: string, name: string, detail: object): Promise<void> {
  await trx.insertInto('audit_log').values({ at, actor, action, target: `token:${name}`, detail: JSON.stringify(detail) }).execute();
}

/** Throws ApiTokenExistsError when a token that is not revoked has the name. */
export async function createApiToken(ctx: Ctx, t: ApiTokenInput): Promise<ApiToken> {
  guarded(ctx, t.name, 'token.name');
  guarded(ctx, t.createdBy, 'token.createdBy');
  return ctx.backend.writeTx(async (trx) => {
    await ctx.backend.lockKey(trx, `token:${t.name}`);
    if ((await live(trx, t.name)) !== undefined) throw new ApiTokenExistsError(t.name);
    const row = await trx
      .insertInto('api_tokens')
      .values({ name: t.name, role: t.role, hash: t.hash, created_at: t.createdAt, created_by: t.createdBy, expires_at: t.expiresAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, t.createdAt, t.createdBy, 'token.create', t.name, { role: t.role, expiresAt: t.expiresAt });
    return toToken(row);
  });
}

/** Revokes the token of that name that is not revoked yet; null when there is none. */
export async function revokeApiToken(ctx: Ctx, name: string, actor: string, now: number): Promise<ApiToken | null> {
  guarded(ctx, actor, 'token.revokedBy');
  return ctx.backend.writeTx(async (trx) => {
    await ctx.backend.lockKey(trx, `token:${name}`);
    const found = await live(trx, name);
    if (found === undefined) return null;
    await trx.updateTable('api_tokens').set({ revoked_at: now, revoked_by: actor }).where('id', '=', found.id).execute();
    await audit(trx, now, actor, 'token.revoke', name, { role: found.role });
    return toToken({ ...found, revoked_at: now, revoked_by: actor });
  });
}

export async function findApiTokenByHash(ctx: Ctx, hash: string): Promise<StoredApiToken | null> {
  const row = await ctx.backend.db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row === undefined ? null : { ...toToken(row), hash: row.hash };
}

/** Every token ever created, revoked ones included, oldest first. */
export async function listApiTokens(ctx: Ctx): Promise<ApiToken[]> {
  return (await ctx.backend.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(toToken);
}

export async function hasApiTokens(ctx: Ctx): Promise<boolean> {
  return (await ctx.backend.db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst()) !== undefined;
}

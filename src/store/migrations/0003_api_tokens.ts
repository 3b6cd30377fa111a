/**
 * API tokens kept in the store (`pitcrew token create`): name, role, the
 * SHA-256 of the token (never the token), who created it and when, an
 * optional expiry and the revocation. Rows are never deleted, so the audit
 * trail keeps every token that ever existed; a name is unique among the
 * tokens not revoked (a partial index), so a revoked name can be given to a
 * new token.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { BackendKind } from '../backend.js';
import { withId } from './columns.js';

export function apiTokens(kind: BackendKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(kind, db.schema.createTable('api_tokens'), 'id')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema.createIndex('api_tokens_live_name').on('api_tokens').column('name').unique().where(sql.ref('revoked_at'), 'is', null).execute();
    },
  };
}

/**
 * Adds how long a deployment waited in its environment's lock queue before
 * the grant (`lock_wait_ms`), so `pitcrew report` can give the lock wait p95.
 * Nullable: deployments recorded without it (and older rows) simply have none.
 */
import type { Kysely, Migration } from 'kysely';

export function deploymentLockWait(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deployments').addColumn('lock_wait_ms', 'bigint').execute();
    },
  };
}

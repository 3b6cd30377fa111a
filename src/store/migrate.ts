/**
 * Brings a database to the schema this pitcrew knows, at open: versioned
 * migrations run by kysely's Migrator inside a transaction, idempotently.
 * Refuses, before touching anything, a database migrated by a newer pitcrew.
 * Never drops or rewrites data outside a migration.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { ExitCode, PitcrewError } from '../errors.js';
import { SchemaTooNewError } from './errors.js';
import type { Backend } from './backend.js';
import { migrations } from './migrations/index.js';

export const MIGRATION_TABLE = 'pitcrew_migration';
export const MIGRATION_LOCK_TABLE = 'pitcrew_migration_lock';

/** Names of the migrations this code knows, in order; the last one is the code's schema version. */
export function knownMigrations(): string[] {
  return Object.keys(migrations('sqlite')).sort();
}

/** Names of the migrations already applied to the database, in order ([] for a new database). */
export async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await (db as Kysely<Record<string, { name: string }>>)
    .selectFrom(MIGRATION_TABLE)
    .select('name')
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

/** Applies every pending migration; returns the names applied (none when up to date). */
export async function migrateToLatest(backend: Backend, retry: (fn: () => Promise<string[]>) => Promise<string[]> = (fn) => fn()): Promise<string[]> {
  const all = migrations(backend.kind);
  const known = Object.keys(all).sort();
  const run = async (db: Kysely<unknown>, disableTransactions: boolean): Promise<string[]> => {
    const applied = await appliedMigrations(db);
    const unknown = applied.filter((name) => !(name in all));
    if (unknown.length > 0) {
      throw new SchemaTooNewError(backend.where, applied[applied.length - 1] ?? '', known[known.length - 1] ?? '', unknown);
    }
    if (known.every((name) => applied.includes(name))) return [];
    const provider: MigrationProvider = { getMigrations: async (): Promise<Record<string, Migration>> => all };
    // Unordered: a database that got 0004 before 0003 existed still takes 0003 later (each migration stands alone).
    const migrator = new Migrator({
      db, provider, disableTransactions, migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE, allowUnorderedMigrations: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new PitcrewError('store.migration-failed', `migrating the database at ${backend.where} failed in ${failed}: ${describe(error)}`, ExitCode.internal, {
        hint: 'nothing of that migration was applied (it runs in a transaction); fix the cause shown and start pitcrew again',
        cause: error,
      });
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  // SQLite: kysely's migrator takes no lock there and begins a deferred
  // transaction, so two processes migrating a new file would both create the
  // tables. Run check and migrations inside one BEGIN IMMEDIATE instead (SQLite
  // DDL is transactional). PostgreSQL: the migrator's own transaction and
  // advisory lock serialize it.
  if (backend.kind === 'sqlite') return retry(() => backend.writeTx((trx) => run(trx as unknown as Kysely<unknown>, true)));
  return retry(() => run(backend.db as unknown as Kysely<unknown>, false));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

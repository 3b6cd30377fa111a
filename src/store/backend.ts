/**
 * The narrow port between the shared kysely implementation and a database
 * backend: a kysely instance, a serialized write transaction, and a per-key
 * lock inside it. Never contains SQL for records; that lives in one place.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type BackendKind = 'sqlite' | 'postgres';

export interface Backend {
  readonly kind: BackendKind;
  /** Where the data lives, safe to print (no password). */
  readonly where: string;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in a write transaction that conflicts with every other write to
   * the same keys: SQLite takes the database write lock up front (BEGIN
   * IMMEDIATE); PostgreSQL relies on `lockKey`.
   */
  writeTx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Inside writeTx: serializes with every other transaction holding `key` (PostgreSQL advisory lock). */
  lockKey(trx: Kysely<Database>, key: string): Promise<void>;
  close(): Promise<void>;
}

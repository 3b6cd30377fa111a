/**
 * Column helpers shared by migrations: the one place where the schema differs
 * by backend. Never holds table definitions.
 */
import type { CreateTableBuilder } from 'kysely';
import type { BackendKind } from '../backend.js';

/** Adds an auto-increasing integer primary key: SQLite AUTOINCREMENT (ids never reused), PostgreSQL identity. */
export function withId<T extends string>(kind: BackendKind, table: CreateTableBuilder<T, never>, column: string): CreateTableBuilder<T, string> {
  return kind === 'postgres'
    ? table.addColumn(column, 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    : table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
}

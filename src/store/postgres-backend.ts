/**
 * PostgreSQL backend (pg pool) for several server replicas sharing state.
 * int8 columns come back as numbers (epoch ms fit well within 2^53); per-key
 * serialization uses a transaction-scoped advisory lock. Never prints the
 * connection password.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { UnavailableError } from '../errors.js';
import type { Backend } from './backend.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

/** Parses int8 to a number; leaves every other type to pg's defaults. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  /** Pool size; default 5. */
  poolSize?: number;
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@]*@/, '://$1:***@');
  }
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Backend> {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 5, types });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new UnavailableError(`cannot connect to PostgreSQL at ${where}: ${(err as Error).message}`, {
      code: 'store.unavailable',
      hint: 'check that the server is up, the database exists and the URL (host, port, user, database) is right',
      cause: err,
    });
  }
  return {
    kind: 'postgres',
    where,
    db,
    writeTx: (fn) => db.transaction().execute(fn),
    lockKey: async (trx, key) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${'pitcrew:' + key}, 0))`.execute(trx);
    },
    close: () => db.destroy(),
  };
}

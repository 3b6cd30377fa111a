/**
 * Embedded SQLite backend (better-sqlite3): WAL mode so readers never wait,
 * busy_timeout for the rare blocking waits, and every write in BEGIN IMMEDIATE
 * so a transaction holds the database write lock from its first statement.
 * Waiting for that lock is done asynchronously with backoff, never by blocking
 * the event loop, so several connections in one process cannot deadlock.
 * WAL checkpoints run on a timer (once a second, passive), not inside the
 * commit that happens to cross SQLite's page threshold: a checkpoint syncs the
 * file, and that sync landed on one lock acquire in a hundred
 * (docs/benchmarks.md, lock acquire plus release). A much larger automatic
 * threshold stays as a backstop for a WAL the timer cannot keep up with.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { UnavailableError } from '../errors.js';
import type { Backend } from './backend.js';
import type { Database } from './schema.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** How often a connection checkpoints the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** Pages in the WAL after which SQLite checkpoints inside a commit anyway (its default is 1,000). */
const BACKSTOP_CHECKPOINT_PAGES = 20_000;

export interface SqliteOptions {
  busyTimeoutMs?: number;
  /** Clock for the busy deadline. */
  now?: () => number;
}

export function openSqlite(file: string, opts: SqliteOptions = {}): Backend {
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const now = opts.now ?? Date.now;
  const memory = file === ':memory:';
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('synchronous = NORMAL');
    if (!memory) raw.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  } catch (err) {
    throw new UnavailableError(`cannot open the SQLite database ${file}: ${(err as Error).message}`, {
      code: 'store.unavailable',
      hint: 'check that the directory is writable and the file is a pitcrew database, or pass another --store',
      cause: err,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(raw) }) });
  const checkpoints = memory ? undefined : setInterval(() => checkpoint(raw), CHECKPOINT_INTERVAL_MS).unref();

  // Prepared once: every write transaction runs these, and better-sqlite3's pragma() and exec() parse anew each time.
  const noWait = raw.prepare('PRAGMA busy_timeout = 0');
  const wait = raw.prepare(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  const begin = raw.prepare('BEGIN IMMEDIATE');
  const commit = raw.prepare('COMMIT');

  /** Takes the write lock without blocking: busy_timeout is 0 while trying, restored once held. */
  async function beginImmediate(): Promise<void> {
    const deadline = now() + busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      noWait.run();
      try {
        begin.run();
        return;
      } catch (err) {
        if (!isBusy(err) || now() >= deadline) {
          throw isBusy(err) ? busyError(file, busyTimeoutMs, err) : err;
        }
      } finally {
        wait.run();
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + attempt) + Math.random() * 5));
    }
  }

  return {
    kind: 'sqlite',
    where: memory ? 'sqlite::memory:' : file,
    db,
    // kysely's SQLite driver has one connection behind a mutex; holding it makes the raw BEGIN/COMMIT safe.
    writeTx: (fn) =>
      db.connection().execute(async (conn) => {
        await beginImmediate();
        try {
          const result = await fn(conn);
          commit.run();
          return result;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      }),
    lockKey: async () => {
      // The whole database is already write-locked by BEGIN IMMEDIATE.
    },
    close: async () => {
      clearInterval(checkpoints);
      await db.destroy();
    },
  };
}

/** Statements kept prepared, by SQL text: kysely prepares every query anew, and the same few run again and again. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The part of better-sqlite3 kysely's driver uses, with prepared statements
 * reused. A statement busy in an iteration (a streamed query) is not handed
 * out again: that query gets a fresh one.
 */
export function cachingStatements(raw: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit !== undefined && !hit.busy) return hit;
      const stmt = raw.prepare(sql);
      if (hit === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** A passive checkpoint: copies what it can without waiting for readers or writers; skipped mid-transaction. */
function checkpoint(raw: BetterSqlite3.Database): void {
  if (!raw.open || raw.inTransaction) return;
  try {
    raw.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick, or the backstop threshold, checkpoints instead.
  }
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function busyError(file: string, ms: number, cause: unknown): UnavailableError {
  return new UnavailableError(`the SQLite database ${file} stayed locked by another process for ${ms} ms`, {
    code: 'store.busy',
    hint: 'another pitcrew process is writing; retry, or raise the store busy timeout',
    cause,
  });
}

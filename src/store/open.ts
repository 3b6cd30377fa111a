/**
 * Opens the store named by a URL: picks the backend from a registry, connects,
 * and migrates to the schema this pitcrew knows before returning. An unknown
 * URL scheme is answered with the list of supported ones.
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Backend } from './backend.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { isBusy, openSqlite } from './sqlite-backend.js';
import type { Store, TextGuard } from './store.js';

/** Where the embedded database lives when no URL is given, relative to `cwd`. */
export const DEFAULT_SQLITE_FILE = './.pitcrew/pitcrew.db';

export interface OpenStoreOptions {
  /** Refuses free text before it is written (the secret masker plugs in here). */
  guard?: TextGuard;
  /** Base for relative SQLite paths; default process.cwd(). */
  cwd?: string;
  /** SQLite: how long to wait for another writer; default 5000 ms. */
  busyTimeoutMs?: number;
  /** PostgreSQL: connection pool size; default 5. */
  poolSize?: number;
}

type BackendOpener = (target: string, opts: OpenStoreOptions) => Promise<Backend>;

/** Store backends by URL scheme. */
export const backends: ReadonlyMap<string, BackendOpener> = new Map<string, BackendOpener>([
  ['sqlite', async (file, opts) => openSqlite(file, { busyTimeoutMs: opts.busyTimeoutMs })],
  // Loaded on first use: the pg client is about 40 modules a SQLite user never needs.
  ['postgres', async (url, opts) => (await import('./postgres-backend.js')).openPostgres(url, { poolSize: opts.poolSize })],
]);

/** Which backend a URL names, and what to hand it (a file path or the URL itself). */
export function resolveStoreUrl(url: string | undefined, cwd: string = process.cwd()): { backend: string; target: string } {
  const file = (p: string) => ({ backend: 'sqlite', target: p === ':memory:' ? p : isAbsolute(p) ? p : resolve(cwd, p) });
  if (url === undefined || url.trim() === '') return file(DEFAULT_SQLITE_FILE);
  if (/^postgres(ql)?:\/\//i.test(url)) return { backend: 'postgres', target: url };
  if (/^sqlite:/i.test(url)) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (rest === '') throw new UsageError(`store URL "${url}" names no file`, { code: 'store.url', hint: 'use sqlite:PATH, e.g. sqlite:./.pitcrew/pitcrew.db' });
    return file(rest);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) {
    throw new UsageError(`store URL scheme "${scheme[1]}:" is not supported`, {
      code: 'store.url',
      hint: `use one of: sqlite:PATH (or a plain path), postgres://USER@HOST:PORT/DB, postgresql://...; supported backends: ${[...backends.keys()].join(', ')}`,
    });
  }
  return file(url);
}

/**
 * Opens and migrates the store.
 * @example const store = await openStore('postgres://pitcrew@db:5432/pitcrew');
 * @example const store = await openStore(undefined); // ./.pitcrew/pitcrew.db
 */
export async function openStore(url?: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const { backend: kind, target } = resolveStoreUrl(url, opts.cwd);
  const opener = backends.get(kind);
  if (opener === undefined) throw new UsageError(`unknown store backend "${kind}"`, { code: 'store.url', hint: `supported: ${[...backends.keys()].join(', ')}` });
  const backend = await opener(target, opts);
  try {
    await migrateToLatest(backend, retryWhileRacing);
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw err;
  }
  return new KyselyStore(backend, opts.guard);
}

/**
 * Several processes opening a new database at once race to create the
 * migration tables (SQLite: busy; PostgreSQL: duplicate table or type). The
 * loser retries; migrating is idempotent, so it then finds nothing to do.
 */
async function retryWhileRacing(fn: () => Promise<string[]>): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!lostRace(err) || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
  }
}

function lostRace(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (isBusy(e) || code === '42P07' || code === '23505') return true;
  }
  return false;
}

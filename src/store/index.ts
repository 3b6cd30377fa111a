/**
 * The store's public surface: open a store, its interface and records, and the
 * errors it throws. Code outside src/store imports from here only.
 */
export { openStore, resolveStoreUrl, backends, DEFAULT_SQLITE_FILE, type OpenStoreOptions } from './open.js';
export type * from './store.js';
export { ApiTokenExistsError, StaleFencingTokenError, SchemaTooNewError, StoreNotFoundError } from './errors.js';
export { knownMigrations } from './migrate.js';

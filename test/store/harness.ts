/**
 * What the store contract suite needs from a backend under test: a fresh
 * database per test, a way to open several stores on it, and raw SQL on it.
 */
import type { OpenStoreOptions } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

export interface StoreHarness {
  /** URL of this test's fresh database. */
  url: string;
  /** Opens another store (another connection or pool) on the same database. */
  open(opts?: OpenStoreOptions): Promise<Store>;
  /** Runs raw SQL on the same database through a separate connection. */
  query(sql: string): Promise<unknown[]>;
  /** Closes everything the harness opened and removes the database. */
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** Reason to skip every test (backend unavailable). */
  skip?: string;
  /** False for databases a second connection cannot reach (`:memory:`). */
  shared?: boolean;
}

export const T0 = 1_700_000_000_000;

/** Runs `fn` with a fresh harness and store, disposing both whatever happens. */
export async function withStore(make: () => Promise<StoreHarness>, fn: (store: Store, h: StoreHarness) => Promise<void>, opts?: OpenStoreOptions): Promise<void> {
  const h = await make();
  try {
    const store = await h.open(opts);
    try {
      await fn(store, h);
    } finally {
      await store.close();
    }
  } finally {
    await h.dispose();
  }
}

/** A waiter input with defaults. */
export function waiter(ownerToken: string, ttlMs = 10_000) {
  return { ownerToken, runner: `runner-${ownerToken}`, description: `deploy by ${ownerToken}`, ttlMs };
}

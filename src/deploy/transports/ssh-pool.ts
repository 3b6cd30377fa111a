/**
 * Bounded parallelism for the ssh transport: a limiter (channels on one
 * connection, targets deployed at once), `mapLimit` for the engine, and the
 * pool that keeps one connection per target for the length of a deploy and
 * shares it between every session opened on that target. Must never open a
 * second connection to a target while one is usable.
 */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs at most `limit` functions at once; the others wait in order. */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit ${limit} is not a whole number >= 1`);
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next();
      else active -= 1;
    }
  };
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep
 * the order of `items`. Like Promise.all, the first rejection rejects, but the
 * calls already started run to their end first (no work is left half-done).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const run = createLimiter(limit);
  const settled = await Promise.allSettled(items.map((item, i) => run(() => fn(item, i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

export interface Pooled {
  readonly closed: boolean;
  end(): Promise<void>;
}

interface Entry<C extends Pooled> {
  connection: Promise<C>;
  users: number;
}

/**
 * One connection per key, counted by users: `acquire` shares a live one or
 * opens it, `release` ends it when its last user is done. A connection that
 * failed to open or has closed is dropped, so the next acquire dials again.
 */
export class ConnectionPool<C extends Pooled> {
  private readonly entries = new Map<string, Entry<C>>();

  /** Shares the live connection for `key`, or opens one with `open`. */
  async acquire(key: string, open: () => Promise<C>): Promise<C> {
    let entry = this.entries.get(key);
    if (entry !== undefined) {
      const live = await entry.connection.then((c) => !c.closed, () => false);
      if (!live && this.entries.get(key) === entry) this.entries.delete(key);
    }
    entry = this.entries.get(key);
    if (entry === undefined) {
      const created: Entry<C> = { connection: open(), users: 0 };
      entry = created;
      this.entries.set(key, created);
      created.connection.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.users += 1;
    try {
      return await entry.connection;
    } catch (err) {
      entry.users -= 1;
      throw err;
    }
  }

  async release(key: string, connection: C): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined || (await entry.connection.catch(() => undefined)) !== connection) {
      await connection.end();
      return;
    }
    entry.users -= 1;
    if (entry.users > 0) return;
    this.entries.delete(key);
    await connection.end();
  }

  /** Ends every connection, in use or not. */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.connection.then((c) => c.end(), () => undefined)));
  }

  get size(): number {
    return this.entries.size;
  }
}

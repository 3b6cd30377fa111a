/**
 * What a doctor source answers: a value, an error seen while asking, or
 * "absent" with the reason it was not asked (no flag, no config). Also the
 * deadline every remote call runs under, so a hung host cannot hang doctor.
 */
export type Source<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'error'; error: string; code?: string; status?: number }
  | { kind: 'absent'; reason: string };

export function ok<T>(value: T): Source<T> {
  return { kind: 'ok', value };
}

export function absent<T>(reason: string): Source<T> {
  return { kind: 'absent', reason };
}

export function failed<T>(err: unknown): Source<T> {
  const e = err as { message?: string; code?: unknown; status?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const status = typeof e?.status === 'number' ? e.status : undefined;
  return { kind: 'error', error: e?.message ?? String(err), ...(code ? { code } : {}), ...(status !== undefined ? { status } : {}) };
}

/** Settles with `work`'s answer, or rejects with code ETIMEDOUT after `ms`. The work itself is left to finish on its own. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Runs `ask` once, under a deadline, and turns any failure into an error answer. */
export async function settle<T>(ask: () => Promise<T>, ms: number, what: string): Promise<Source<T>> {
  try {
    return ok(await withTimeout(Promise.resolve().then(ask), ms, what));
  } catch (err) {
    return failed(err);
  }
}

/** Memoizes a zero-argument async function, so checks sharing a source ask once. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

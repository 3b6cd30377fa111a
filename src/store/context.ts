/**
 * What every store operation needs: the backend and the text guard. The guard
 * runs on every free-text value before it is written, so a refused value
 * aborts the write before (or inside) its transaction and nothing is stored.
 */
import type { Backend } from './backend.js';
import type { TextGuard } from './store.js';

export interface Ctx {
  backend: Backend;
  guard: TextGuard;
}

/** Passes `value` through the guard; null stays null. */
export function guarded<T extends string | null | undefined>(ctx: Ctx, value: T, where: string): T {
  if (typeof value === 'string') ctx.guard(value, where);
  return value;
}

/** JSON text for a column; undefined becomes null. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

/**
 * What the demo's story checks each step against: the releases the targets'
 * `current` links point at, the release each app really serves over HTTP,
 * and a poll with a deadline. A check that does not hold throws
 * DemoStepFailed naming the step, so the demo exits 1 saying which step did
 * not behave as narrated. Must never change anything it looks at.
 */
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationFailedError } from '../errors.js';
import type { DemoTarget } from './workspace.js';

export class DemoStepFailed extends OperationFailedError {
  constructor(readonly step: string, what: string) {
    super(`demo step "${step}" did not behave as narrated: ${what}`, {
      code: 'demo.step-failed',
      hint: 'the workspace is left as it was (pitcrew.yml, pitcrew.db, targets/); `pitcrew --config DIR/pitcrew.yml status production` shows it',
    });
  }
}

/** Throws DemoStepFailed(step, what) unless `ok`. */
export function expectThat(ok: boolean, step: string, what: string): void {
  if (!ok) throw new DemoStepFailed(step, what);
}

/** Calls `fn` until it returns something other than undefined, every 100 ms, for at most `deadlineMs`. */
export async function waitFor<T>(step: string, what: string, fn: () => Promise<T | undefined>, deadlineMs: number, signal?: AbortSignal): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new DemoStepFailed(step, `interrupted while waiting for ${what}`);
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = ` (last error: ${(err as Error).message})`;
    }
    if (Date.now() >= end) throw new DemoStepFailed(step, `${what} did not happen within ${Math.round(deadlineMs / 1000)} s${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The release id each target's `current` points at (null before the first deploy). */
export async function currentReleases(targets: readonly DemoTarget[]): Promise<(string | null)[]> {
  return Promise.all(targets.map(async (t) => (await readlink(join(t.folder, 'current')).catch(() => null))?.replace(/^releases\//, '') ?? null));
}

/** The version each target's app answers with over HTTP (its `x-release` header), or an error text. */
export async function servedVersions(targets: readonly DemoTarget[]): Promise<string[]> {
  return Promise.all(targets.map(async (t) => {
    try {
      const res = await fetch(`http://127.0.0.1:${t.port}/`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      return res.headers.get('x-release') ?? `HTTP ${res.status}`;
    } catch (err) {
      return `no answer (${(err as Error).message})`;
    }
  }));
}

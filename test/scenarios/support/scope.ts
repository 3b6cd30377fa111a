/**
 * A scenario's cleanup scope: everything a scenario starts (processes, temp
 * folders, HTTP listeners) registers its teardown here, and the scope runs them
 * last-in first-out from the test's `t.after`, on success and on failure alike.
 * It must never let a teardown error hide the others: every one runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `test(name, async (t) => ...)` hands a scenario; only `after` is used. */
export interface AfterHook {
  after(fn: () => unknown): void;
}

export class Scope {
  private readonly teardowns: Array<{ what: string; fn: () => unknown }> = [];

  /** Runs `fn` at the end of the scenario, before anything registered earlier. */
  defer(what: string, fn: () => unknown): void {
    this.teardowns.push({ what, fn });
  }

  async close(): Promise<void> {
    const errors: string[] = [];
    while (this.teardowns.length > 0) {
      const { what, fn } = this.teardowns.pop()!;
      try {
        await fn();
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed: ${errors.join('; ')}`);
  }

  /** A fresh folder under the system temp dir, removed at the end. */
  async tempDir(prefix = 'pitcrew-scenario-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
    return dir;
  }
}

/** The scope of one test: `const scope = scenarioScope(t);` as the first line. */
export function scenarioScope(t: AfterHook): Scope {
  const scope = new Scope();
  t.after(() => scope.close());
  return scope;
}

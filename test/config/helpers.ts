/** Shared by the configuration tests: fixture paths and "this must fail with a ConfigError". */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Problem } from '../../src/config/index.js';
import type { Env } from '../../src/cli/io.js';

/** Compiled tests live in dist/test/config; fixtures stay in the source tree. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/config/${name}`, import.meta.url));
}

export const examplePath = fileURLToPath(new URL('../../../examples/pitcrew.yml', import.meta.url));

export async function problemsOf(name: string, env: Env = {}): Promise<{ error: ConfigError; problems: Problem[] }> {
  const path = fixture(name);
  try {
    await loadConfig(path, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    for (const p of err.problems) assert.equal(p.file, path);
    return { error: err, problems: err.problems };
  }
  assert.fail(`${name} loaded without problems`);
}

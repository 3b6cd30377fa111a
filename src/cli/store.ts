/**
 * The one way a command opens the store: `--db` when given (relative to the
 * working directory), else `server.database` from pitcrew.yml (a relative
 * SQLite path is taken from the configuration file's folder, so a CI job
 * started in another directory still finds the same file), else the default
 * `./.pitcrew/pitcrew.db`. Every free-text field is checked against the
 * invocation's masker before it is stored: the store never keeps a secret.
 */
import { dirname } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import { openStore, type Store } from '../store/index.js';
import type { CliContext } from './context.js';

export function openCommandStore(ctx: CliContext, loaded: LoadedConfig | undefined, dbFlag?: string): Promise<Store> {
  const fromFlag = dbFlag !== undefined;
  const url = fromFlag ? dbFlag : loaded?.config.server.database;
  const cwd = fromFlag || loaded === undefined ? ctx.io.cwd : dirname(loaded.path);
  return openStore(url, { cwd, guard: (text, where) => ctx.masker.assertNoSecret(text, where) });
}

/**
 * Opens the store a store-direct CLI command reads (report, incident): the
 * `--db` flag, else `server.database` from pitcrew.yml, else the default
 * `./.pitcrew/pitcrew.db`. Relative SQLite paths are resolved against the
 * working directory, as the server does, so a CLI and a server started in
 * the same folder share one file. Never writes a secret: free text is
 * checked against the invocation's masker before it is stored.
 */
import { existsSync } from 'node:fs';
import type { CliContext } from '../cli/context.js';
import { loadCliConfig } from '../cli/load-config.js';
import { openStore, type Store } from '../store/index.js';

export async function openCliStore(ctx: CliContext, db?: string): Promise<Store> {
  let url = db;
  if (url === undefined && (ctx.globals.configExplicit || existsSync(ctx.globals.configPath))) {
    url = (await loadCliConfig(ctx)).config.server.database;
  }
  return openStore(url, { cwd: ctx.io.cwd, guard: (text, where) => ctx.masker.assertNoSecret(text, where) });
}

/**
 * Opens the store a store-direct CLI command reads (report, incident): the
 * `--db` flag, else `server.database` from pitcrew.yml, else the default
 * `./.pitcrew/pitcrew.db`, resolved as src/cli/store.ts says. Never writes a secret: free text is
 * checked against the invocation's masker before it is stored.
 */
import { existsSync } from 'node:fs';
import type { CliContext } from '../cli/context.js';
import { loadCliConfig } from '../cli/load-config.js';
import { openCommandStore } from '../cli/store.js';
import type { Store } from '../store/index.js';

export async function openCliStore(ctx: CliContext, db?: string): Promise<Store> {
  const loaded = db === undefined && (ctx.globals.configExplicit || existsSync(ctx.globals.configPath)) ? await loadCliConfig(ctx) : undefined;
  return openCommandStore(ctx, loaded, db);
}

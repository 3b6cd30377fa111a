/**
 * The one way a command loads pitcrew.yml: every secret value the file names
 * is registered with the invocation's masker before anything else is printed,
 * so no later output (logs, errors, captured step output) can carry it.
 */
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import type { CliContext } from './context.js';

export async function loadCliConfig(ctx: CliContext, file?: string): Promise<LoadedConfig> {
  const path = file === undefined ? ctx.globals.configPath : resolve(ctx.io.cwd, file);
  const loaded = await loadConfig(path, ctx.env);
  for (const s of loaded.secrets) ctx.masker.register(s.value, `${s.name} (named by ${s.source})`);
  return loaded;
}

/**
 * Loads the configuration and picks one environment from it, for the deploy
 * commands. Kept apart from the engine's setup (src/deploy/engine-setup.ts)
 * so `pitcrew deploy` can start logging in to the targets before the
 * engine, the store and their libraries are loaded.
 */
import type { Environment, LoadedConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';
import { loadCliConfig } from './load-config.js';

export interface FoundEnvironment {
  loaded: LoadedConfig;
  environment: Environment;
}

/** @throws UsageError (exit 2) naming the defined environments when `envName` is not one. */
export async function findEnvironment(ctx: CliContext, envName: string): Promise<FoundEnvironment> {
  const loaded = await loadCliConfig(ctx);
  const environments = loaded.config.environments;
  const environment = Object.hasOwn(environments, envName) ? environments[envName] : undefined;
  if (environment === undefined) {
    const known = Object.keys(environments);
    throw new UsageError(`${ctx.globals.configPath}: environments.${envName} is not defined`, {
      code: 'environment.unknown',
      hint: known.length > 0 ? `defined environments: ${known.join(', ')}` : 'define it under `environments:` first',
    });
  }
  return { loaded, environment };
}

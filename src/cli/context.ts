/**
 * What every command gets: masked output, the environment, and the global
 * flags resolved once (flag, else environment variable, else default).
 */
import { resolve } from 'node:path';
import type { SecretMasker } from '../mask/masker.js';
import type { Env, Io } from './io.js';

export interface GlobalOptions {
  /** Path of the configuration file: --config, else $PITCREW_CONFIG, else ./pitcrew.yml. */
  configPath: string;
  /** True when --config or $PITCREW_CONFIG named the file explicitly. */
  configExplicit: boolean;
  json: boolean;
  server?: string;
  token?: string;
}

export interface CliContext {
  /** Output sinks already masked by `masker`. */
  io: Io;
  env: Env;
  globals: GlobalOptions;
  /** The invocation's masker: register every secret a command learns (config, files) before printing. */
  masker: SecretMasker;
  /**
   * Prints a secret the command just made for the user to keep (a new API
   * token) to stdout unmasked; register it with `masker` first. Nothing else
   * may use it (src/cli/masking.ts).
   */
  reveal(text: string): void;
}

export function resolveGlobals(
  flags: { config?: string; json?: boolean; server?: string; token?: string },
  env: Env,
  cwd: string,
): GlobalOptions {
  const named = flags.config ?? env.PITCREW_CONFIG;
  return {
    configPath: resolve(cwd, named ?? 'pitcrew.yml'),
    configExplicit: named !== undefined,
    json: flags.json === true,
    server: flags.server ?? env.PITCREW_SERVER,
    token: flags.token ?? env.PITCREW_TOKEN,
  };
}

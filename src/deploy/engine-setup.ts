/**
 * What the deploy commands share: load the configuration, pick the
 * environment, open the coordinator on config.server.database (store-direct
 * mode; a relative SQLite path is taken from the configuration file's
 * folder), and turn SIGINT/SIGTERM into an interruption the engine rolls
 * back from. Must never exit the process.
 */
import { storeCoordinator, type DeployCoordinator } from '../coord/index.js';
import { parseDuration, type Config, type Environment } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { CliContext } from '../cli/context.js';
import { loadCliConfig } from '../cli/load-config.js';
import { openCommandStore } from '../cli/store.js';
import type { EnginePorts } from './engine-context.js';

export interface DeployWorkspace {
  config: Config;
  envName: string;
  environment: Environment;
  coord: DeployCoordinator;
  close(): Promise<void>;
}

export async function openWorkspace(ctx: CliContext, envName: string): Promise<DeployWorkspace> {
  const loaded = await loadCliConfig(ctx);
  const { config } = loaded;
  const environment = Object.hasOwn(config.environments, envName) ? config.environments[envName] : undefined;
  if (environment === undefined) {
    const known = Object.keys(config.environments);
    throw new UsageError(`${ctx.globals.configPath}: environments.${envName} is not defined`, {
      code: 'environment.unknown',
      hint: known.length > 0 ? `defined environments: ${known.join(', ')}` : 'define it under `environments:` first',
    });
  }
  const store = await openCommandStore(ctx, loaded);
  const coord = storeCoordinator(store, { ownsStore: true });
  return { config, envName, environment, coord, close: () => coord.close() };
}

/** Lines of narration: stdout, or stderr when stdout carries --json. */
export function narrator(ctx: CliContext): (line: string) => void {
  const sink = ctx.globals.json ? ctx.io.stderr : ctx.io.stdout;
  return (line) => sink.write(`${line}\n`);
}

export function enginePorts(ctx: CliContext, coord: DeployCoordinator, signal?: AbortSignal): EnginePorts {
  return {
    coord, say: narrator(ctx), signal,
    actor: ctx.env.GITHUB_ACTOR ?? ctx.env.USER ?? 'pitcrew',
    runner: ctx.env.RUNNER_NAME ?? null,
  };
}

export function waitOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}

/**
 * Turns the first SIGINT or SIGTERM into an abort (the engine rolls back and
 * releases the lock); further signals are ignored while it does.
 */
export function interruptOnSignals(say: (line: string) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) say(`received ${sig}: rolling back before exiting (signal again is ignored)`);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

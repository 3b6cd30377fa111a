/**
 * What the deploy commands share: load the configuration, pick the
 * environment, open the coordinator, and turn SIGINT/SIGTERM into an
 * interruption the engine rolls back from. The coordinator is the server's
 * API when --server / $PITCREW_SERVER is set (server mode: the deployer
 * names its runner with $RUNNER_NAME and presents --token / $PITCREW_TOKEN),
 * else the store of config.server.database (store-direct mode; a relative
 * SQLite path is taken from the configuration file's folder). Must never
 * exit the process.
 */
import { httpCoordinator, storeCoordinator, type DeployCoordinator } from '../coord/index.js';
import { parseDuration, type Config, type Environment } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { CliContext } from '../cli/context.js';
import { findEnvironment, type FoundEnvironment } from '../cli/find-environment.js';
import { openCommandStore } from '../cli/store.js';
import { createNotify } from '../notify/notify.js';
import type { EnginePorts } from './engine-context.js';
import { deployOutput } from './output/index.js';

export interface DeployWorkspace {
  config: Config;
  envName: string;
  environment: Environment;
  coord: DeployCoordinator;
  close(): Promise<void>;
}

export async function openWorkspace(ctx: CliContext, envName: string, found?: FoundEnvironment): Promise<DeployWorkspace> {
  const { loaded, environment } = found ?? (await findEnvironment(ctx, envName));
  const { config } = loaded;
  const server = ctx.globals.server;
  let coord: DeployCoordinator;
  if (server !== undefined && server !== '') {
    const runner = ctx.env.RUNNER_NAME;
    coord = httpCoordinator({ url: server, token: ctx.globals.token, runner });
    modes.set(coord, { environment, server: new URL(server).origin, line: `server mode: lock and journal through the pitcrew server at ${new URL(server).origin} as runner ${runner ?? '(RUNNER_NAME not set)'}` });
  } else {
    const store = await openCommandStore(ctx, loaded);
    coord = storeCoordinator(store, { ownsStore: true });
    modes.set(coord, { environment, line: `store-direct mode: lock and journal in the ${store.backend} store of server.database (no --server / PITCREW_SERVER)` });
  }
  return { config, envName, environment, coord, close: () => coord.close() };
}

/** How each open workspace's coordinator was chosen, for the narration's first line. */
const modes = new WeakMap<DeployCoordinator, { environment: Environment; server?: string; line: string }>();

/**
 * Lines of narration: stdout, or stderr when stdout carries --json; grouped
 * by phase under GitHub Actions (see src/deploy/output).
 */
export function narrator(ctx: CliContext): (line: string) => void {
  const output = deployOutput(ctx);
  return (line) => output.say(line);
}

/**
 * The engine's ports for a deploy, rollback or recovery; narrates the
 * coordination mode first. In server mode the runner's name is required.
 * `notify` sends the environment's notifications, masked by ctx.masker.
 */
export function enginePorts(ctx: CliContext, coord: DeployCoordinator, signal?: AbortSignal): EnginePorts {
  const mode = modes.get(coord);
  if (mode?.server !== undefined && !ctx.env.RUNNER_NAME) {
    throw new UsageError(`deploying through the server at ${mode.server} needs the runner's name, and RUNNER_NAME is not set`, {
      code: 'server.runner-unknown',
      hint: 'set RUNNER_NAME to the name of this runner in pitcrew.yml (GitHub Actions sets it on every runner), or deploy store-direct without --server',
    });
  }
  const say = narrator(ctx);
  if (mode) say(mode.line);
  return {
    coord, say, signal,
    actor: ctx.env.GITHUB_ACTOR ?? ctx.env.USER ?? 'pitcrew',
    runner: ctx.env.RUNNER_NAME ?? null,
    mask: (text) => ctx.masker.mask(text),
    notify: mode && mode.environment.notifications.length > 0
      ? createNotify({ notifiers: mode.environment.notifications, env: ctx.env, mask: (t) => ctx.masker.mask(t), say })
      : undefined,
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

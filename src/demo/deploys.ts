/**
 * How the demo deploys: the real engine (runDeploy) on a store coordinator of
 * its own over the workspace's SQLite file, as a `pitcrew deploy` process
 * would have, with its narration indented under the demo's. Must never
 * bypass the engine: every deploy takes the lock and journals as usual.
 */
import type { Environment } from '../config/index.js';
import { storeCoordinator, type DeployCoordinator } from '../coord/index.js';
import { runDeploy } from '../deploy/engine.js';
import type { DeployReport } from '../deploy/report.js';
import type { Store } from '../store/index.js';
import { ENVIRONMENT, type DemoWorkspace, type Version } from './workspace.js';

export interface DeployDeps {
  ws: DemoWorkspace;
  environment: Environment;
  /** Opens a new store on the workspace's database (what a deploy process would open). */
  openStore(): Promise<Store>;
  say(line: string): void;
  signal: AbortSignal;
}

export interface DeployOptions {
  /** Put before each narrated line, e.g. `[#2] `. */
  tag?: string;
  /** Wraps the coordinator, e.g. to hold the deploy at a step. */
  wrap?: (coord: DeployCoordinator) => DeployCoordinator;
}

export async function deployRelease(d: DeployDeps, version: Version, runner: string, opts: DeployOptions = {}): Promise<DeployReport> {
  const coord = storeCoordinator(await d.openStore(), { ownsStore: true });
  try {
    const artifact = d.ws.artifacts[version];
    return await runDeploy(
      { environmentName: ENVIRONMENT, environment: d.environment, kind: 'deploy', artifact: artifact.file, version, sha256: artifact.sha256 },
      { coord: opts.wrap ? opts.wrap(coord) : coord, say: (line) => d.say(`    ${opts.tag ?? ''}${line}`), signal: d.signal, actor: 'demo', runner, lockPollMs: 100 },
    );
  } finally {
    await coord.close();
  }
}

/**
 * A coordinator that stops before the deploy's first switch until `release`
 * resolves, holding the lock meanwhile (the lease keeps being renewed): how
 * the demo makes a deploy last long enough for a second one to queue behind it.
 */
export function holdBeforeSwitch(coord: DeployCoordinator, release: () => Promise<void>): DeployCoordinator {
  let held = false;
  return {
    ...coord,
    appendJournal: async (events) => {
      if (!held && events.some((event) => event.step === 'switch' && event.phase === 'started')) {
        held = true;
        await release();
      }
      return coord.appendJournal(events);
    },
  };
}

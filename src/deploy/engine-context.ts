/**
 * What one run of the engine works with: the environment, its targets with
 * open sessions, the journal, the lease, the narrator and the ports (clock,
 * sleep, transports, check ports). Opening targets goes through the
 * transport registry. Must never touch a target; that is the engine's job.
 */
import type { Lease } from '../coord/index.js';
import type { DeployCoordinator } from '../coord/index.js';
import { targetName, type Environment } from '../config/index.js';
import type { NotificationEvent } from '../config/notifiers.js';
import type { CheckPorts, CheckTarget } from './checks/index.js';
import type { Journal } from './journal.js';
import type { DeployReport } from './report.js';
import { transportFor, transports as defaultTransports } from './transports/registry.js';
import type { TargetRef, Transport } from './transports/transport.js';

export interface EnginePorts {
  coord: DeployCoordinator;
  /** One line per step, e.g. `switching batch 1/2: web-1`. */
  say: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  transports?: ReadonlyMap<string, () => Transport>;
  /** Interruption (SIGINT, SIGTERM): the deploy rolls back. */
  signal?: AbortSignal;
  checkPorts?: CheckPorts;
  /** Pause between lock polls while waiting. */
  lockPollMs?: number;
  /** Who deploys (for the deployment record), and on which runner. */
  actor?: string;
  runner?: string | null;
  /** Masks text before it is stored (journal details, the deployment's error); the CLI passes its masker. */
  mask?: (text: string) => string;
  /** Sends the environment's notifications for `event`; never throws, never changes the report. */
  notify?: (event: NotificationEvent, report: DeployReport) => Promise<void>;
}

export interface RunContext {
  envName: string;
  environment: Environment;
  ports: EnginePorts;
  now: () => number;
  targets: CheckTarget[];
  journal: Journal;
  lease: Lease;
}

export function targetRefs(environment: Environment): TargetRef[] {
  return environment.targets.map((t) => {
    const ref: TargetRef = { ...(t as Record<string, unknown>), name: String(targetName(t as Record<string, unknown>)) };
    if (environment.transport === 'ssh') ref.path = environment.path;
    return ref;
  });
}

/**
 * Opens a session on every target of the environment, all at once (one slow
 * login must not hold the others in line); if any fails, closes the opened
 * ones and throws the failure of the first such target in config order.
 */
/** Logs in to every target of the environment at once; if any fails, closes the others and throws its error. */
export async function openTargets(environment: Environment, ports: Pick<EnginePorts, 'transports'>): Promise<CheckTarget[]> {
  const transport = transportFor(environment.transport, 'transport', ports.transports ?? defaultTransports);
  const refs = targetRefs(environment);
  const settled = await Promise.allSettled(refs.map(async (ref): Promise<CheckTarget> => ({
    name: ref.name, host: typeof ref.host === 'string' ? ref.host : '127.0.0.1', session: await transport.open(ref),
  })));
  const opened = settled.filter((r): r is PromiseFulfilledResult<CheckTarget> => r.status === 'fulfilled').map((r) => r.value);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await closeTargets(opened);
    throw failed.reason;
  }
  return opened;
}

export async function closeTargets(targets: CheckTarget[]): Promise<void> {
  await Promise.all(targets.map((t) => t.session.close().catch(() => undefined)));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

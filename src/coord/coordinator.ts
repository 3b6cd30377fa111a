/**
 * The one narrow port the deploy engine uses for everything it shares with
 * other deployers: the environment's lock, the deployment records and their
 * journal, and the deploy incidents it opens and resolves. It is backed by
 * the store directly (store-coordinator.ts) or by the server's API
 * (http-coordinator.ts); the engine cannot tell which.
 * It must never decide deploy policy, only record and serialize.
 */
import type {
  Deployment, DeploymentFilter, DeploymentInput, DeploymentPatch, JournalEvent, JournalEventInput, LockHolder, LockPoll,
  LockRenewal, LockStatus, LockWaiterInput,
} from '../store/index.js';
import type { OpenIncidentRequest, ResolvingCondition } from '../incidents/index.js';

export type { OpenIncidentRequest, ResolvingCondition };
export type {
  Deployment, DeploymentFilter, DeploymentInput, DeploymentPatch, JournalEvent, JournalEventInput, LockHolder, LockPoll,
  LockRenewal, LockStatus, LockWaiterInput,
};

export interface DeployCoordinator {
  /** Joins the environment's FIFO queue (idempotent for one owner token). */
  enqueue(environment: string, waiter: LockWaiterInput): Promise<{ ticket: number }>;
  /** One step of the lock protocol: granted, waiting (with position), or lost. */
  poll(environment: string, ownerToken: string): Promise<LockPoll>;
  renew(environment: string, ownerToken: string, fencingToken: number, ttlMs: number): Promise<LockRenewal>;
  /** Releases only this owner's hold or place in the queue. */
  release(environment: string, ownerToken: string): Promise<boolean>;
  /** Breaks the current holder, audited with `actor` and `reason`. */
  forceRelease(environment: string, actor: string, reason: string): Promise<LockHolder | null>;
  lockStatus(environment: string): Promise<LockStatus>;

  createDeployment(deployment: DeploymentInput): Promise<Deployment>;
  updateDeployment(id: string, patch: DeploymentPatch): Promise<Deployment>;
  listDeployments(filter: DeploymentFilter): Promise<Deployment[]>;
  /**
   * Appends events of one deployment in order, all or none: refused
   * (StaleFencingTokenError) when a token is lower than the environment's newest grant.
   */
  appendJournal(events: readonly JournalEventInput[]): Promise<JournalEvent[]>;
  listJournal(deploymentId: string): Promise<JournalEvent[]>;

  /** Opens an incident unless the same problem has one open already (src/incidents). */
  openIncident(request: OpenIncidentRequest): Promise<{ id: string; opened: boolean }>;
  /** Resolves the open incidents `condition` ends (opened at or before `at`); returns how many. */
  resolveIncidents(condition: ResolvingCondition, at: number, note: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The lock status as it may be shown to anyone: owner tokens removed, since
 * an owner token is what lets its holder release the lock without --force.
 */
export function publicLockStatus(status: LockStatus): unknown {
  const { holder, queue, ...rest } = status;
  const strip = <T extends { ownerToken: string }>(x: T): Omit<T, 'ownerToken'> => {
    const { ownerToken: _hidden, ...shown } = x;
    return shown;
  };
  return { ...rest, holder: holder === null ? null : strip(holder), queue: queue.map(strip) };
}

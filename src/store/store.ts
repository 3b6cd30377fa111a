/**
 * The one interface every part of pitcrew uses to keep state, whatever the
 * backend (embedded SQLite or PostgreSQL). Lock operations are atomic across
 * processes; the store never decides policy (who is healthy, which runner to
 * pick), it only records and serializes.
 */
import type {
  ApiToken, ApiTokenInput, StoredApiToken, AuditEntry, AuditFilter, AuditInput, Deployment, DeploymentFilter, DeploymentInput, DeploymentPatch,
  Heartbeat, Incident, IncidentInput, IncidentKey, JournalEvent, JournalEventInput, LockHolder, LockPoll,
  LockRenewal, LockStatus, LockWaiterInput, Runner, RunnerInput, RunnerState, RunnerStateChange,
  WorkflowJobFilter, WorkflowJobInput, WorkflowJobRecord,
} from './records.js';

export type * from './records.js';

/** Called on every free-text value before it is written; throwing refuses the whole write. */
export type TextGuard = (text: string, where: string) => void;

export interface Store {
  /** `sqlite` or `postgres`. */
  readonly backend: string;

  // ---- runners ----
  /** Creates or updates a runner's configured facts; keeps its state and heartbeat. */
  upsertRunner(runner: RunnerInput, now: number): Promise<Runner>;
  getRunner(name: string): Promise<Runner | null>;
  /** Every runner, by name. */
  listRunners(): Promise<Runner[]>;
  /** Records the latest heartbeat; an unknown runner is created unauthorized. */
  recordHeartbeat(runner: string, at: number, probes: unknown): Promise<void>;
  /** recordHeartbeat for many runners in one transaction; a runner named twice keeps its last. */
  recordHeartbeats(beats: ReadonlyArray<{ runner: string; at: number; probes: unknown }>): Promise<void>;
  latestHeartbeat(runner: string): Promise<Heartbeat | null>;
  /** Sets state and reasons; appends history only when the state changes. */
  setRunnerState(runner: string, state: RunnerState, reasons: string[], at: number): Promise<{ changed: boolean }>;
  /** State changes at or after `sinceMs`, oldest first. */
  runnerStateHistory(runner: string, sinceMs: number): Promise<RunnerStateChange[]>;

  // ---- locks ----
  /**
   * Puts `waiter` at the tail of the environment's FIFO queue (or returns its
   * existing ticket if it already waits or holds). The waiter must poll before
   * `now + waiterLeaseMs` or it is dropped as dead.
   */
  enqueueLock(environment: string, waiter: LockWaiterInput, now: number, waiterLeaseMs: number): Promise<{ ticket: number }>;
  /**
   * One atomic step of the lock protocol: expires a holder whose lease passed,
   * drops waiters whose waiter lease lapsed (never the caller, whose lease this
   * poll renews), grants a free lock to the head of the queue with a new
   * fencing token, and tells the caller where it stands.
   */
  pollLock(environment: string, ownerToken: string, now: number, waiterLeaseMs: number): Promise<LockPoll>;
  /** Extends the holder's lease; `lost` if the lease passed or another token holds it now. */
  renewLock(environment: string, ownerToken: string, fencingToken: number, now: number, ttlMs: number): Promise<LockRenewal>;
  /** Releases the lock (or leaves the queue) for `ownerToken` only; true if something was released. */
  releaseLock(environment: string, ownerToken: string): Promise<boolean>;
  /** Breaks whoever holds the lock and writes an audit entry; returns the holder broken, if any. */
  forceReleaseLock(environment: string, actor: string, reason: string, now: number): Promise<LockHolder | null>;
  /** Holder and queue as they are now (read-only: expires nothing). */
  lockStatus(environment: string, now: number): Promise<LockStatus>;

  // ---- deployments and journal ----
  createDeployment(deployment: DeploymentInput): Promise<Deployment>;
  /** Applies `patch`; throws StoreNotFoundError for an unknown id. */
  updateDeployment(id: string, patch: DeploymentPatch): Promise<Deployment>;
  getDeployment(id: string): Promise<Deployment | null>;
  /** Newest first. */
  listDeployments(filter?: DeploymentFilter): Promise<Deployment[]>;
  /**
   * Appends an event with the next seq; throws StaleFencingTokenError if its
   * token is lower than the highest token granted for the deployment's environment.
   */
  appendJournal(event: JournalEventInput): Promise<JournalEvent>;
  /**
   * Appends events of one deployment in order, in one transaction: all or
   * none (StaleFencingTokenError when any token is stale).
   */
  appendJournalEvents(events: readonly JournalEventInput[]): Promise<JournalEvent[]>;
  /** In seq order. */
  listJournal(deploymentId: string): Promise<JournalEvent[]>;

  // ---- incidents ----
  openIncident(incident: IncidentInput): Promise<Incident>;
  acknowledgeIncident(id: string, at: number): Promise<Incident>;
  resolveIncident(id: string, at: number, note: string | null): Promise<Incident>;
  /** Newest first; `open` means not resolved. */
  listIncidents(which: 'open' | 'all', limit?: number): Promise<Incident[]>;
  /** The open incident of this kind for this environment and runner (null matches null). */
  findOpenIncident(key: IncidentKey): Promise<Incident | null>;

  // ---- audit ----
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;

  // ---- GitHub Actions jobs ----
  /** Creates or updates the job from a `workflow_job` delivery; known instants are kept. */
  recordWorkflowJob(job: WorkflowJobInput, now: number): Promise<WorkflowJobRecord>;
  /** Most recently updated first. */
  listWorkflowJobs(filter?: WorkflowJobFilter): Promise<WorkflowJobRecord[]>;
  // ---- API tokens ----
  /**
   * Records a token by its hash and audits `token.create` (actor: createdBy)
   * in the same transaction; throws ApiTokenExistsError when a token of that
   * name is not revoked.
   */
  createApiToken(token: ApiTokenInput): Promise<ApiToken>;
  /** Revokes the live token of that name and audits `token.revoke`; null when none is live. The row stays. */
  revokeApiToken(name: string, actor: string, now: number): Promise<ApiToken | null>;
  /** The token with this SHA-256 (hex), revoked or expired ones included; null when none. */
  findApiTokenByHash(hash: string): Promise<StoredApiToken | null>;
  /** Every token ever created, revoked ones included, oldest first; never a hash. */
  listApiTokens(): Promise<ApiToken[]>;
  /** Whether any token was ever created (revoked ones count). */
  hasApiTokens(): Promise<boolean>;

  close(): Promise<void>;
}

/**
 * The records the store reads and writes, as the rest of pitcrew sees them:
 * timestamps are epoch milliseconds, JSON values are parsed, booleans are
 * booleans. Never holds anything database-specific (column names, SQL types).
 */

/** Evaluated health of a runner; `unknown` until the first evaluation. */
export type RunnerState = 'unknown' | 'online' | 'degraded' | 'offline';

/** What configuration (or registration) says about a runner. */
export interface RunnerInput {
  name: string;
  labels: string[];
  environments: string[];
  priority: number;
  authorized: boolean;
}

export interface Runner extends RunnerInput {
  lastHeartbeatAt: number | null;
  state: RunnerState;
  stateReasons: string[];
  stateChangedAt: number | null;
  /** Probe results of the latest heartbeat, as the agent sent them. */
  probes: unknown;
}

export interface RunnerStateChange {
  runner: string;
  from: RunnerState;
  to: RunnerState;
  reasons: string[];
  at: number;
}

export interface Heartbeat {
  runner: string;
  at: number;
  probes: unknown;
}

/** Who holds an environment's lock, and until when. */
export interface LockHolder {
  environment: string;
  ticket: number;
  ownerToken: string;
  runner: string | null;
  description: string;
  fencingToken: number;
  grantedAt: number;
  expiresAt: number;
}

/** A process waiting for an environment's lock. */
export interface LockWaiterInput {
  /** Identifies the waiting process across polls; unique per acquisition attempt. */
  ownerToken: string;
  runner?: string | null;
  description: string;
  /** Lease length granted when this waiter reaches the head of the queue. */
  ttlMs: number;
}

export interface QueuedWaiter {
  ticket: number;
  /** 1 for the head of the queue. */
  position: number;
  ownerToken: string;
  runner: string | null;
  description: string;
  enqueuedAt: number;
  leaseExpiresAt: number;
}

export type LockPoll =
  | { status: 'granted'; ticket: number; fencingToken: number; grantedAt: number; expiresAt: number }
  | { status: 'waiting'; ticket: number; position: number; ahead: number; holder: LockHolder | null }
  /** The owner is neither holding nor queued: its lease or waiter lease lapsed, or it was released. */
  | { status: 'lost' };

export type LockRenewal = { status: 'renewed'; expiresAt: number } | { status: 'lost'; holder: LockHolder | null };

export interface LockStatus {
  environment: string;
  /** The holder, even if its lease has passed and no poll has expired it yet (see `expired`). */
  holder: (LockHolder & { expired: boolean }) | null;
  queue: QueuedWaiter[];
  /** Highest fencing token ever granted for the environment; 0 if none. */
  lastFencingToken: number;
}

export interface DeploymentInput {
  id: string;
  environment: string;
  version: string;
  digest: string;
  runner: string | null;
  actor: string;
  state: string;
  startedAt: number;
  fencingToken?: number | null;
  /** How long the deployer waited in the lock queue before the grant (ms); null when not measured. */
  lockWaitMs?: number | null;
}

export interface Deployment extends Required<DeploymentInput> {
  finishedAt: number | null;
  result: string | null;
  fencingToken: number | null;
  error: string | null;
  lockWaitMs: number | null;
}

export interface DeploymentPatch {
  state?: string;
  runner?: string | null;
  finishedAt?: number | null;
  result?: string | null;
  fencingToken?: number | null;
  error?: string | null;
  lockWaitMs?: number | null;
}

export interface DeploymentFilter {
  environment?: string;
  result?: string;
  runner?: string;
  /** Only deployments started at or after this time. */
  since?: number;
  limit?: number;
}

export interface JournalEventInput {
  deploymentId: string;
  step: string;
  target: string | null;
  phase: string;
  detail: string | null;
  fencingToken: number;
  at: number;
}

export interface JournalEvent extends JournalEventInput {
  /** 1, 2, 3 ... per deployment, assigned by the store. */
  seq: number;
}

export interface IncidentInput {
  /** Generated when absent. */
  id?: string;
  kind: string;
  openedAt: number;
  detectedAt: number;
  cause: string;
  environment?: string | null;
  runner?: string | null;
  deploymentId?: string | null;
}

export interface Incident {
  id: string;
  kind: string;
  openedAt: number;
  detectedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  cause: string;
  environment: string | null;
  runner: string | null;
  deploymentId: string | null;
  resolutionNote: string | null;
}

export interface IncidentKey {
  kind: string;
  environment?: string | null;
  runner?: string | null;
}

export interface AuditInput {
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string | null;
}

export interface AuditEntry extends AuditInput {
  id: number;
}

export interface AuditFilter {
  since?: number;
  target?: string;
  action?: string;
  limit?: number;
}

/** A GitHub Actions job as its `workflow_job` webhooks told it; times in ms since epoch. */
export interface WorkflowJobInput {
  jobId: number;
  runId: number;
  runAttempt: number;
  /** `owner/repo`. */
  repository: string;
  name: string;
  workflow: string | null;
  runner: string | null;
  status: string;
  conclusion: string | null;
  createdAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
}

export interface WorkflowJobRecord extends WorkflowJobInput {
  /** started - created: how long the job waited for a runner; null until it started. */
  queueMs: number | null;
  /** completed - started; null until it completed. */
  durationMs: number | null;
  updatedAt: number;
}

export interface WorkflowJobFilter {
  runner?: string;
  runId?: number;
  /** Newest first; default 100. */
  limit?: number;
}

/** A new API token: its SHA-256 (hex), never the token itself. */
export interface ApiTokenInput {
  name: string;
  role: string;
  hash: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
}

/** A token as listed: everything but its hash. */
export interface ApiToken {
  id: number;
  name: string;
  role: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** A token found by its hash, for the authenticator's comparison. */
export interface StoredApiToken extends ApiToken {
  hash: string;
}

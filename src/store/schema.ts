/**
 * Table shapes as kysely sees them (snake_case columns, JSON as text, booleans
 * as 0/1 integers, timestamps as epoch-ms integers). Must match the migrations;
 * never used outside src/store.
 */
import type { Generated } from 'kysely';

export interface RunnersTable {
  name: string;
  labels: string;
  environments: string;
  priority: number;
  authorized: number;
  last_heartbeat_at: number | null;
  state: string;
  state_reasons: string;
  state_changed_at: number | null;
  probes: string | null;
  updated_at: number;
}

export interface RunnerStateHistoryTable {
  id: Generated<number>;
  runner: string;
  from_state: string;
  to_state: string;
  reasons: string;
  at: number;
}

export interface HeartbeatsTable {
  runner: string;
  at: number;
  probes: string | null;
}

export interface LockFencesTable {
  environment: string;
  last_token: number;
}

export interface LocksTable {
  environment: string;
  ticket: number;
  owner_token: string;
  runner: string | null;
  description: string;
  fencing_token: number;
  granted_at: number;
  expires_at: number;
}

export interface LockWaitersTable {
  ticket: Generated<number>;
  environment: string;
  owner_token: string;
  runner: string | null;
  description: string;
  ttl_ms: number;
  enqueued_at: number;
  lease_expires_at: number;
}

export interface DeploymentsTable {
  id: string;
  environment: string;
  version: string;
  digest: string;
  runner: string | null;
  actor: string;
  state: string;
  started_at: number;
  finished_at: number | null;
  result: string | null;
  fencing_token: number | null;
  error: string | null;
  lock_wait_ms: number | null;
}

export interface JournalEventsTable {
  deployment_id: string;
  seq: number;
  step: string;
  target: string | null;
  phase: string;
  detail: string | null;
  fencing_token: number;
  at: number;
}

export interface IncidentsTable {
  id: string;
  kind: string;
  opened_at: number;
  detected_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  cause: string;
  environment: string | null;
  runner: string | null;
  deployment_id: string | null;
  resolution_note: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string | null;
}

export interface WorkflowJobsTable {
  job_id: number;
  run_id: number;
  run_attempt: number;
  repository: string;
  name: string;
  workflow: string | null;
  runner: string | null;
  status: string;
  conclusion: string | null;
  created_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  queue_ms: number | null;
  duration_ms: number | null;
  updated_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

export interface Database {
  runners: RunnersTable;
  runner_state_history: RunnerStateHistoryTable;
  heartbeats: HeartbeatsTable;
  lock_fences: LockFencesTable;
  locks: LocksTable;
  lock_waiters: LockWaitersTable;
  deployments: DeploymentsTable;
  journal_events: JournalEventsTable;
  incidents: IncidentsTable;
  audit_log: AuditLogTable;
  workflow_jobs: WorkflowJobsTable;
  api_tokens: ApiTokensTable;
}

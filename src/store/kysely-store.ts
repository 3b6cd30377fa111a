/**
 * The Store implementation shared by every backend: one set of kysely queries,
 * split by concern into the *-repo modules. Holds no SQL of its own and never
 * knows which database it talks to beyond the Backend port.
 */
import type { Backend } from './backend.js';
import type { Ctx } from './context.js';
import * as audit from './audit-repo.js';
import * as deployments from './deployments-repo.js';
import * as incidents from './incidents-repo.js';
import * as jobs from './jobs-repo.js';
import * as locks from './locks-repo.js';
import * as runners from './runners-repo.js';
import * as tokens from './tokens-repo.js';
import type * as R from './records.js';
import type { Store, TextGuard } from './store.js';

export class KyselyStore implements Store {
  readonly backend: string;
  readonly #ctx: Ctx;

  constructor(backend: Backend, guard: TextGuard = () => undefined) {
    this.backend = backend.kind;
    this.#ctx = { backend, guard };
  }

  upsertRunner = (r: R.RunnerInput, now: number) => runners.upsertRunner(this.#ctx, r, now);
  getRunner = (name: string) => runners.getRunner(this.#ctx, name);
  listRunners = () => runners.listRunners(this.#ctx);
  recordHeartbeat = (runner: string, at: number, probes: unknown) => runners.recordHeartbeat(this.#ctx, runner, at, probes);
  recordHeartbeats = (beats: ReadonlyArray<{ runner: string; at: number; probes: unknown }>) => runners.recordHeartbeats(this.#ctx, beats);
  latestHeartbeat = (runner: string) => runners.latestHeartbeat(this.#ctx, runner);
  setRunnerState = (runner: string, state: R.RunnerState, reasons: string[], at: number) => runners.setRunnerState(this.#ctx, runner, state, reasons, at);
  runnerStateHistory = (runner: string, sinceMs: number) => runners.runnerStateHistory(this.#ctx, runner, sinceMs);

  enqueueLock = (env: string, waiter: R.LockWaiterInput, now: number, waiterLeaseMs: number) => locks.enqueueLock(this.#ctx, env, waiter, now, waiterLeaseMs);
  pollLock = (env: string, ownerToken: string, now: number, waiterLeaseMs: number) => locks.pollLock(this.#ctx, env, ownerToken, now, waiterLeaseMs);
  renewLock = (env: string, ownerToken: string, fencingToken: number, now: number, ttlMs: number) => locks.renewLock(this.#ctx, env, ownerToken, fencingToken, now, ttlMs);
  releaseLock = (env: string, ownerToken: string) => locks.releaseLock(this.#ctx, env, ownerToken);
  forceReleaseLock = (env: string, actor: string, reason: string, now: number) => locks.forceReleaseLock(this.#ctx, env, actor, reason, now);
  lockStatus = (env: string, now: number) => locks.lockStatus(this.#ctx, env, now);

  createDeployment = (d: R.DeploymentInput) => deployments.createDeployment(this.#ctx, d);
  updateDeployment = (id: string, patch: R.DeploymentPatch) => deployments.updateDeployment(this.#ctx, id, patch);
  getDeployment = (id: string) => deployments.getDeployment(this.#ctx, id);
  listDeployments = (filter?: R.DeploymentFilter) => deployments.listDeployments(this.#ctx, filter);
  appendJournal = (e: R.JournalEventInput) => deployments.appendJournal(this.#ctx, e);
  appendJournalEvents = (events: readonly R.JournalEventInput[]) => deployments.appendJournalEvents(this.#ctx, events);
  listJournal = (deploymentId: string) => deployments.listJournal(this.#ctx, deploymentId);

  openIncident = (i: R.IncidentInput) => incidents.openIncident(this.#ctx, i);
  acknowledgeIncident = (id: string, at: number) => incidents.acknowledgeIncident(this.#ctx, id, at);
  resolveIncident = (id: string, at: number, note: string | null) => incidents.resolveIncident(this.#ctx, id, at, note);
  listIncidents = (which: 'open' | 'all', limit?: number) => incidents.listIncidents(this.#ctx, which, limit);
  findOpenIncident = (key: R.IncidentKey) => incidents.findOpenIncident(this.#ctx, key);

  appendAudit = (e: R.AuditInput) => audit.appendAudit(this.#ctx, e);
  listAudit = (filter?: R.AuditFilter) => audit.listAudit(this.#ctx, filter);

  recordWorkflowJob = (job: R.WorkflowJobInput, now: number) => jobs.recordWorkflowJob(this.#ctx, job, now);
  listWorkflowJobs = (filter?: R.WorkflowJobFilter) => jobs.listWorkflowJobs(this.#ctx, filter);
  createApiToken = (t: R.ApiTokenInput) => tokens.createApiToken(this.#ctx, t);
  revokeApiToken = (name: string, actor: string, now: number) => tokens.revokeApiToken(this.#ctx, name, actor, now);
  findApiTokenByHash = (hash: string) => tokens.findApiTokenByHash(this.#ctx, hash);
  listApiTokens = () => tokens.listApiTokens(this.#ctx);
  hasApiTokens = () => tokens.hasApiTokens(this.#ctx);

  close = () => this.#ctx.backend.close();
}

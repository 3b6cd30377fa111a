/**
 * The transactional deploy: verify the artifact before any target is
 * touched, take the environment's lease (waiting in FIFO order), recover any
 * deploy left unfinished, then run the forward steps; on any failure or
 * interruption switch EVERY captured target back to its captured release and
 * check it again. The outcome is a DeployReport with its exit code; a failed
 * rollback is `rollback-failed` (exit 4). Must never leave the lease held,
 * and never touch a target after losing the lease.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { acquireLease, type Lease } from '../coord/index.js';
import type { Environment } from '../config/index.js';
import { UsageError } from '../errors.js';
import { deployFailed } from '../incidents/index.js';
import { endEvent } from '../notify/payload.js';
import { verifyArtifact } from './artifact.js';
import { closeTargets, openTargets, plural, type EnginePorts, type RunContext } from './engine-context.js';
import { finishSuccess } from './engine-finish.js';
import { isLockLoss, rollbackTargets } from './engine-rollback.js';
import { forward, type TransactionPlan, type TransactionState } from './engine-transaction.js';
import { Journal } from './journal.js';
import { AUTO_RECOVERED_STATES, recoverUnfinished, UNFINISHED_STATES } from './recover.js';
import { parseReleaseId, releaseIdFor, validateVersion } from './release-id.js';
import { exitCodes, newTargetReport, type DeployReport, type DeployResult } from './report.js';
import type { CheckTarget } from './checks/index.js';

export interface DeployRequest {
  environmentName: string;
  environment: Environment;
  kind: 'deploy' | 'rollback' | 'recover';
  /** deploy: the .tar.gz to deploy. */
  artifact?: string;
  /** deploy: defaults to the version in the artifact's file name (`shop-1.4.2.tar.gz` -> `1.4.2`). */
  version?: string;
  sha256?: string;
  /** rollback: the release to go back to; default the newest good release before `current`. */
  toRelease?: string;
  dryRun?: boolean;
  /** How long to wait for the lock; default environment.lock.wait. */
  waitLockMs?: number;
  /**
   * The environment's targets, already being logged in to (openTargets): the
   * engine takes them over and closes them. Default: it logs in itself.
   */
  targets?: Promise<CheckTarget[]>;
}

/** `shop-1.4.2.tar.gz` -> `1.4.2`; a name without a version-like tail is used whole. */
export function versionFromFileName(file: string): string {
  const stem = basename(file).replace(/\.(tar\.gz|tgz)$/, '');
  return /[-_]v?(\d[A-Za-z0-9._+~-]*)$/.exec(stem)?.[1] ?? stem;
}

function emptyReport(req: DeployRequest, plan: Partial<TransactionPlan>): DeployReport {
  return {
    kind: req.kind, environment: req.environmentName, deploymentId: null, version: plan.version ?? '', releaseId: plan.releaseId ?? '',
    sha256: plan.sha256 ?? '', fencingToken: null, result: 'succeeded', exitCode: 0, targets: [], smokeTests: [], pruned: {}, recovered: [],
  };
}

function settle(report: DeployReport, result: DeployResult, error?: string): DeployReport {
  report.result = result;
  report.exitCode = exitCodes[result];
  if (error !== undefined) report.error = error;
  return report;
}

/** The release a rollback goes to on the first target: `--to`, else the newest good (not bad) release staged before `current`. */
async function rollbackTarget(req: DeployRequest, first: CheckTarget): Promise<TransactionPlan> {
  const state = await first.session.inspect();
  const index = state.details.findIndex((d) => d.id === state.current);
  // No current (or one whose folder is gone): every staged release is earlier.
  const at = index < 0 ? state.details.length : index;
  const earlier = state.details.slice(0, at).filter((d) => d.mark !== 'bad');
  const chosen = req.toRelease ?? (earlier.filter((d) => d.mark === 'good').pop() ?? earlier.pop())?.id;
  const info = state.details.find((d) => d.id === chosen);
  if (chosen === undefined || info?.sha256 === undefined) {
    throw new UsageError(
      chosen === undefined
        ? `${first.name} has no release before ${state.current ?? 'its current one'} to roll back to`
        : `release ${chosen} is not staged on ${first.name} (it has ${state.releases.join(', ') || 'no releases'})`,
      { code: 'rollback.no-release', hint: `list the releases with \`pitcrew releases ${req.environmentName}\` and pass --to RELEASE` },
    );
  }
  return { releaseId: chosen, version: parseReleaseId(chosen)?.version ?? chosen, sha256: info.sha256, kind: 'rollback' };
}

async function dryRun(req: DeployRequest, plan: TransactionPlan, targets: CheckTarget[], ports: EnginePorts): Promise<DeployReport> {
  const report = emptyReport(req, plan);
  for (const t of targets) {
    const state = await t.session.inspect();
    const r = newTargetReport(t.name);
    r.captured = state.current ?? null;
    r.final = state.current ?? null;
    report.targets.push(r);
    const staged = state.releases.includes(plan.releaseId) ? 'already staged' : 'would stage';
    ports.say(`dry run: ${t.name} is on ${state.current ?? 'no release'}; ${staged} ${plan.releaseId} and switch to it`);
  }
  return settle(report, 'dry-run');
}

async function transaction(ctx: RunContext, plan: TransactionPlan, report: DeployReport): Promise<void> {
  const { ports } = ctx;
  const st: TransactionState = { captured: new Map(), switchStarted: new Set(), staged: new Set(), reports: new Map(), tolerated: new Set() };
  for (const t of ctx.targets) st.reports.set(t.name, newTargetReport(t.name));
  report.targets = [...st.reports.values()];
  await ctx.journal.write('plan', null, 'started', JSON.stringify({ kind: plan.kind, releaseId: plan.releaseId, version: plan.version, sha256: plan.sha256, targets: ctx.targets.map((t) => t.name) }));
  const putBack = async (name: string) => {
    const one = new Map([[name, st.captured.get(name) ?? null]]);
    const ok = await rollbackTargets(ctx, { releaseId: plan.releaseId, captured: one, switchStarted: st.switchStarted }, st.reports);
    if (!ok) throw new Error(`${name} failed and could not be put back alone`);
  };
  let committed: string[] | undefined;
  try {
    committed = await forward(ctx, plan, st, report, putBack);
    await finishSuccess(ctx, plan.releaseId, committed, st, report);
    ports.say(`deployed ${plan.releaseId} to ${plural(committed.length, 'target')} of ${ctx.envName}`);
    settle(report, 'succeeded');
  } catch (err) {
    if (committed !== undefined) {
      // Committed: every target is on the new release and passed its checks; never roll that back here.
      ports.say(`deployed ${plan.releaseId}, but recording the success failed: ${(err as Error).message}; \`pitcrew recover ${ctx.envName}\` completes the record`);
      settle(report, 'succeeded', `committed, but not recorded as finished: ${(err as Error).message}`);
      return;
    }
    if (isLockLoss(err)) {
      ports.say(`stopping without touching anything else: ${(err as Error).message}; the next holder of the lock recovers this deploy`);
      settle(report, 'lock-lost', (err as Error).message);
      return;
    }
    const why = (err as Error).message;
    const failedAt = ctx.now();
    ports.say(`${why} — rolling back all ${plural(st.captured.size, 'target')}`);
    await rollbackAfterFailure(ctx, plan, st, report, why);
    if (report.result === 'rolled-back' || report.result === 'rollback-failed') {
      await deployFailed(ports.coord, { environment: ctx.envName, deploymentId: ctx.journal.deploymentId, result: report.result, cause: why, failedAt, at: ctx.now() }, ports.say);
    }
  } finally {
    await Promise.all(report.targets.filter((r) => r.final === null).map(async (r) => {
      r.final = (await ctx.targets.find((t) => t.name === r.target)?.session.inspect().catch(() => undefined))?.current ?? null;
    }));
  }
}

async function rollbackAfterFailure(ctx: RunContext, plan: TransactionPlan, st: TransactionState, report: DeployReport, why: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await rollbackTargets(ctx, { releaseId: plan.releaseId, captured: st.captured, switchStarted: st.switchStarted }, st.reports);
  } catch (err) {
    if (!isLockLoss(err)) throw err;
    settle(report, 'lock-lost', `${why}; then the lock was lost during the rollback: ${(err as Error).message}`);
    return;
  }
  await Promise.all(ctx.targets.filter((t) => st.staged.has(t.name) && st.captured.get(t.name) !== plan.releaseId).map((t) =>
    ctx.journal.step('mark', t.name, 'bad', () => t.session.markRelease(plan.releaseId, 'bad')).catch(() => undefined),
  ));
  const state = ok ? 'rolled-back' : 'rollback-failed';
  // As after a success: the journal is closed first, so no record ends while its journal stays open.
  if (ok) await ctx.journal.write('finish', null, 'succeeded', 'rolled-back').catch(() => undefined);
  await ctx.ports.coord.updateDeployment(ctx.journal.deploymentId, { state, result: state, finishedAt: ctx.now(), error: why === null || why === undefined ? why : (ctx.ports.mask ?? ((t: string) => t))(why) });
  if (ok) {
    ctx.ports.say(`every target of ${ctx.envName} is back on its previous release`);
    settle(report, 'rolled-back', why);
  } else {
    const broken = [...st.reports.values()].filter((r) => r.rolledBack === 'failed').map((r) => `${r.target} (on ${r.final ?? 'unknown'}, should be ${r.captured ?? 'none'}: ${r.detail})`);
    ctx.ports.say(`INCIDENT: the rollback of ${ctx.envName} did not complete; a human is needed. Not back: ${broken.join('; ')}`);
    settle(report, 'rollback-failed', `${why}; rollback did not complete on ${broken.join('; ')}`);
  }
}

/**
 * Runs a deploy, a rollback or a recovery of one environment.
 * @example const report = await runDeploy({ environmentName: 'prod', environment, kind: 'deploy', artifact: 'shop-1.4.2.tar.gz' }, { coord, say });
 * @throws ArtifactError (exit 1) before anything is touched; UsageError (2); UnavailableError when the lock is not free in time (3).
 */
export async function runDeploy(req: DeployRequest, ports: EnginePorts): Promise<DeployReport> {
  const now = ports.now ?? (() => Date.now());
  let plan: TransactionPlan | undefined;
  if (req.kind === 'deploy' && req.artifact === undefined) throw new UsageError('deploy needs --artifact FILE');
  // Logging in to the targets runs while the artifact is checked: it reads nothing and changes nothing there.
  const opening = req.targets ?? openTargets(req.environment, ports);
  opening.catch(() => undefined);
  if (req.kind === 'deploy') {
    try {
      const artifact = req.artifact as string;
      const verified = await verifyArtifact(artifact, { sha256: req.sha256 });
      const version = validateVersion(req.version ?? versionFromFileName(artifact));
      plan = { releaseId: releaseIdFor(version, verified.sha256), version, sha256: verified.sha256, artifact: verified.path, kind: 'deploy' };
      ports.say(`artifact ${artifact} verified: sha256 ${verified.sha256}, ${`${verified.entries} archive entries`}`);
    } catch (err) {
      await opening.then(closeTargets, () => undefined);
      throw err;
    }
  }
  const targets = await opening;
  let lease: Lease | undefined;
  try {
    if (req.dryRun === true) {
      if (plan === undefined) plan = await rollbackTarget(req, targets[0]);
      return await dryRun(req, plan, targets, ports);
    }
    const lockRequestedAt = now();
    lease = await acquireLease(ports.coord, {
      environment: req.environmentName,
      description: `${req.kind} by ${ports.actor ?? 'pitcrew'}${plan ? ` of ${plan.releaseId}` : ''}`,
      runner: ports.runner ?? null,
      ttlMs: req.environment.lock.ttl,
      waitMs: req.waitLockMs ?? req.environment.lock.wait,
      signal: ports.signal,
      onWaiting: (position, holder) => ports.say(`waiting for the lock on ${req.environmentName}: position ${position} in the queue${holder ? ` (held by ${holder.description}, token ${holder.fencingToken})` : ''}`),
    }, { now, sleep: ports.sleep, pollMs: ports.lockPollMs });
    const lockWaitMs = now() - lockRequestedAt;
    ports.say(`lock on ${req.environmentName} taken (fencing token ${lease.fencingToken})`);
    const base: RunContext = { envName: req.environmentName, environment: req.environment, ports, now, targets, lease, journal: new Journal(ports.coord, '', lease.fencingToken, now, ports.mask) };
    const report = emptyReport(req, plan ?? {});
    report.fencingToken = lease.fencingToken;
    const done = await locked(req, plan, base, report, lockWaitMs);
    const event = endEvent(done);
    if (event !== null) await ports.notify?.(event, done).catch(() => undefined);
    return done;
  } finally {
    await closeTargets(targets);
    if (lease !== undefined) await lease.release().catch(() => undefined);
  }
}

/** The run once the lease is held: recover unfinished deploys, then the transaction. */
async function locked(req: DeployRequest, plan: TransactionPlan | undefined, base: RunContext, report: DeployReport, lockWaitMs: number): Promise<DeployReport> {
  const { ports, now, lease, targets } = base;
  report.recovered = await recoverUnfinished(base, req.kind === 'recover' ? UNFINISHED_STATES : AUTO_RECOVERED_STATES);
  for (const r of report.recovered) {
    if (r.result === 'completed') continue;
    const cause = r.result === 'rolled-back' ? 'it did not finish, and a later run rolled it back' : 'it did not finish, and a later run could not put every target back';
    await deployFailed(ports.coord, { environment: req.environmentName, deploymentId: r.deploymentId, result: r.result, cause, failedAt: now(), at: now() }, ports.say);
  }
  if (report.recovered.some((r) => r.result === 'rollback-failed')) {
    return settle(report, 'rollback-failed', 'an earlier deploy could not be rolled back; a human is needed before deploying again');
  }
  if (req.kind === 'recover') {
    if (report.recovered.length === 0) ports.say(`nothing to recover on ${req.environmentName}: no unfinished deployment`);
    return settle(report, 'succeeded');
  }
  if (plan === undefined) plan = await rollbackTarget(req, targets[0]);
  Object.assign(report, { version: plan.version, releaseId: plan.releaseId, sha256: plan.sha256 });
  const id = randomUUID();
  await ports.coord.createDeployment({
    id, environment: req.environmentName, version: plan.version, digest: plan.sha256, runner: ports.runner ?? null,
    actor: ports.actor ?? 'pitcrew', state: 'running', startedAt: now(), fencingToken: lease.fencingToken, lockWaitMs,
  });
  report.deploymentId = id;
  await ports.notify?.('deploy.started', { ...report }).catch(() => undefined);
  await transaction({ ...base, journal: new Journal(ports.coord, id, lease.fencingToken, now, ports.mask) }, plan, report);
  return report;
}

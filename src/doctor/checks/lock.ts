/**
 * The environment's deploy lock: who holds it and for how long, and whether
 * the holder's lease has passed without anyone taking over (a stale lease).
 */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { ago, duration, iso, lockView } from './shared.js';

const LONG_HOLD_MS = 30 * 60_000;
const stateMeta = { id: 'lock.state', title: 'deploy lock state and lease age' };

export const lockState: DoctorCheck = {
  ...stateMeta,
  scope: 'environment',
  async run(s) {
    const view = await lockView(s);
    if (!view) return skip(stateMeta, 'neither the store nor the server could be asked (pass --server and --token, or run where the database is)');
    if ('error' in view) return result(stateMeta, 'warn', [view.error], { cause: 'the lock could not be read', fix: `pitcrew doctor --env ${s.environment} --server URL` });
    const h = view.holder;
    if (!h) return result(stateMeta, 'pass', [`free (from ${view.from}); ${view.queued} waiting; last fencing token ${view.lastFencingToken}`]);
    const held = s.now() - h.grantedAt;
    const evidence = [
      `held by ${h.runner ?? 'an unnamed runner'} (${h.description}) since ${iso(h.grantedAt)}, ${duration(held)}; lease ${h.expired ? 'passed' : 'ends'} ${iso(h.expiresAt)}; token ${h.fencingToken} (from ${view.from})`,
      `${view.queued} waiting`,
    ];
    if (held > LONG_HOLD_MS && !h.expired) {
      return result(stateMeta, 'warn', evidence, { cause: 'a deploy has held the lock for over 30 minutes', fix: `pitcrew doctor --runner ${h.runner ?? 'RUNNER'}`, runbook: RUNBOOKS.lockHeldTooLong });
    }
    return result(stateMeta, 'pass', evidence);
  },
};

const staleMeta = { id: 'lock.stale', title: 'no stale lease' };

export const lockStale: DoctorCheck = {
  ...staleMeta,
  scope: 'environment',
  async run(s) {
    const view = await lockView(s);
    if (!view) return skip(staleMeta, 'neither the store nor the server could be asked');
    if ('error' in view) return skip(staleMeta, view.error);
    const h = view.holder;
    if (!h) return result(staleMeta, 'pass', ['no holder']);
    if (!h.expired) return result(staleMeta, 'pass', [`the lease of ${h.runner ?? 'the holder'} runs until ${iso(h.expiresAt)}`]);
    return result(staleMeta, 'fail', [`the lease of ${h.runner ?? 'the holder'} (token ${h.fencingToken}) passed ${ago(s.now() - h.expiresAt)} and was not renewed; the lock still names it`], {
      cause: 'the deployer holding the lock stopped renewing (killed, or its runner died); its deploy may be half done',
      fix: `pitcrew recover ${s.environment}`,
      runbook: RUNBOOKS.staleLock,
    });
  },
};

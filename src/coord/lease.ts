/**
 * The lock client: waits in the environment's FIFO queue (telling the caller
 * its position), holds the lease granted, renews it every TTL/3, and releases
 * it only with its own owner token. A lease that could not be renewed is
 * reported through `onLost` at once; the holder must then stop touching
 * targets. Must never release or renew a lock it does not own.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError } from '../errors.js';
import type { DeployCoordinator, LockHolder } from './coordinator.js';

export interface LeaseRequest {
  environment: string;
  description: string;
  runner?: string | null;
  ttlMs: number;
  /** Give up (exit 3) after waiting this long in the queue. */
  waitMs: number;
  /** Called whenever the caller's place in the queue changes. */
  onWaiting?: (position: number, holder: LockHolder | null) => void;
  signal?: AbortSignal;
}

export interface LeasePorts {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  ownerToken?: () => string;
  /** Pause between polls while waiting. */
  pollMs?: number;
}

export interface Lease {
  readonly environment: string;
  readonly ownerToken: string;
  readonly fencingToken: number;
  /** True once a renewal failed: another holder may act now. */
  readonly lost: boolean;
  onLost(listener: (holder: LockHolder | null) => void): void;
  /** Stops renewing and releases the lock; safe to call twice. */
  release(): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for the environment's lock and returns the held, self-renewing lease. */
export async function acquireLease(coord: DeployCoordinator, req: LeaseRequest, ports: LeasePorts = {}): Promise<Lease> {
  const now = ports.now ?? (() => Date.now());
  const sleep = ports.sleep ?? defaultSleep;
  const owner = (ports.ownerToken ?? randomUUID)();
  const waiter = { ownerToken: owner, runner: req.runner ?? null, description: req.description, ttlMs: req.ttlMs };
  const deadline = now() + req.waitMs;
  await coord.enqueue(req.environment, waiter);
  let lastPosition = -1;
  for (;;) {
    const poll = await coord.poll(req.environment, owner);
    if (poll.status === 'granted') return holdLease(coord, req, owner, poll.fencingToken);
    if (poll.status === 'lost') {
      await coord.enqueue(req.environment, waiter);
      continue;
    }
    if (poll.position !== lastPosition) {
      lastPosition = poll.position;
      req.onWaiting?.(poll.position, poll.holder);
    }
    const interrupted = req.signal?.aborted === true;
    if (interrupted || now() >= deadline) {
      await coord.release(req.environment, owner);
      const holder = poll.holder ? `; held by ${poll.holder.description}` : '';
      throw new UnavailableError(
        interrupted
          ? `stopped waiting for the lock on ${req.environment}: interrupted`
          : `the lock on ${req.environment} was not free within ${req.waitMs} ms (position ${poll.position} in the queue${holder})`,
        { code: 'lock.timeout', hint: 'wait for the running deploy to finish, or raise --wait-lock / lock.wait' },
      );
    }
    await sleep(Math.min(ports.pollMs ?? 200, Math.max(1, deadline - now())));
  }
}

function holdLease(coord: DeployCoordinator, req: LeaseRequest, owner: string, fencingToken: number): Lease {
  const listeners: ((holder: LockHolder | null) => void)[] = [];
  let lost = false;
  let released = false;
  let renewing: Promise<void> = Promise.resolve();
  const markLost = (holder: LockHolder | null) => {
    if (lost || released) return;
    lost = true;
    for (const l of listeners) l(holder);
  };
  const timer = setInterval(() => {
    renewing = coord.renew(req.environment, owner, fencingToken, req.ttlMs).then(
      (r) => (r.status === 'lost' ? markLost(r.holder) : undefined),
      // A store that cannot be reached now may answer at the next renewal; the lease is only lost when it says so.
      () => undefined,
    );
  }, Math.max(1, Math.floor(req.ttlMs / 3)));
  timer.unref();
  return {
    environment: req.environment,
    ownerToken: owner,
    fencingToken,
    get lost() {
      return lost;
    },
    onLost: (l) => void listeners.push(l),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      await coord.release(req.environment, owner);
    },
  };
}

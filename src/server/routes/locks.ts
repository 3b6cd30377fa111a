/**
 * The per-environment deploy lock over HTTP: enqueue, poll, renew, release
 * (permission `lock`) and status (`read`). The store does the locking; this
 * file checks who may ask. Only a caller whose declared `runner` may deploy to
 * the environment (docs/config.md, runners/environments) may enqueue.
 * Enqueue, the poll that grants the lock, and release are audited with the
 * token's name; a waiting poll and a renewal only move a lease's deadline and
 * are not (they come every few hundred milliseconds while a deploy waits).
 *
 * Must never reveal owner tokens in the status answer: an owner token is what
 * lets a caller renew or release a hold.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { ApiError, badField } from '../api-error.js';
import { audit, authorize, jsonBody, type ServerContext } from '../context.js';

/** A waiter that stops polling for this long is dropped from the queue. */
export const WAITER_LEASE_MS = 30_000;

export function lockRoutes(app: Hono, s: ServerContext): void {
  const envOf = (c: Context) => {
    const env = c.req.param('env') ?? '';
    const config = s.config.environments[env];
    if (!Object.hasOwn(s.config.environments, env) || !config) {
      throw new ApiError(404, 'unknown-environment', `environment ${env.slice(0, 100)} is not in the configuration`);
    }
    return { env, config };
  };
  const base = '/api/v1/environments/:env/lock';
  // The grant may be made by another waiter's poll; it is audited at the first poll that tells its holder.
  const grantAudited = new Map<string, number>();

  app.get(base, async (c) => {
    await authorize(s, c, 'read');
    const { env } = envOf(c);
    const status = await s.store.lockStatus(env, s.now());
    const holder = status.holder ? { ...status.holder, ownerToken: undefined } : null;
    return c.json({ ...status, holder, queue: status.queue.map((w) => ({ ...w, ownerToken: undefined })) });
  });

  app.post(`${base}/enqueue`, async (c) => {
    const who = await authorize(s, c, 'lock');
    const { env, config } = envOf(c);
    const body = await jsonBody(c);
    const runner = str(body, 'runner');
    const view = s.fleet.view(runner);
    if (!view) throw new ApiError(403, 'runner-not-authorized', `runner ${runner.slice(0, 100)} is not in the configuration, so it may not deploy to ${env}`);
    if (!view.environments.includes(env)) {
      throw new ApiError(403, 'runner-not-authorized', `runner ${runner} may not deploy to ${env} (its environments: ${view.environments.join(', ') || 'none'})`);
    }
    const ownerToken = optionalStr(body, 'ownerToken') ?? randomUUID();
    const description = optionalStr(body, 'description') ?? `deploy by ${who.name} on ${runner}`;
    const ttlMs = optionalMs(body, 'ttlMs') ?? config.lock.ttl;
    const { ticket } = await s.store.enqueueLock(env, { ownerToken, runner, description, ttlMs }, s.now(), WAITER_LEASE_MS);
    s.log('lock enqueued', { environment: env, runner, ticket, caller: who.name });
    await audit(s, who, 'lock.enqueue', env, { runner, ticket, description });
    return c.json({ environment: env, ticket, ownerToken, waiterLeaseMs: WAITER_LEASE_MS });
  });

  app.post(`${base}/poll`, async (c) => {
    const who = await authorize(s, c, 'lock');
    const { env } = envOf(c);
    const body = await jsonBody(c);
    const result = await s.store.pollLock(env, str(body, 'ownerToken'), s.now(), WAITER_LEASE_MS);
    if (result.status === 'granted' && result.fencingToken > (grantAudited.get(env) ?? 0)) {
      grantAudited.set(env, result.fencingToken);
      await audit(s, who, 'lock.grant', env, { ticket: result.ticket, fencingToken: result.fencingToken });
    }
    if (result.status === 'waiting' && result.holder) return c.json({ ...result, holder: { ...result.holder, ownerToken: undefined } });
    return c.json(result);
  });

  app.post(`${base}/renew`, async (c) => {
    await authorize(s, c, 'lock');
    const { env, config } = envOf(c);
    const body = await jsonBody(c);
    const fencingToken = body.fencingToken;
    if (typeof fencingToken !== 'number' || !Number.isInteger(fencingToken) || fencingToken < 1) throw badField('fencingToken', 'a whole number, 1 or more');
    const ttlMs = optionalMs(body, 'ttlMs') ?? config.lock.ttl;
    const result = await s.store.renewLock(env, str(body, 'ownerToken'), fencingToken, s.now(), ttlMs);
    if (result.status === 'lost') return c.json({ status: 'lost', holder: result.holder ? { ...result.holder, ownerToken: undefined } : null });
    return c.json(result);
  });

  app.post(`${base}/release`, async (c) => {
    const who = await authorize(s, c, 'lock');
    const { env } = envOf(c);
    const body = await jsonBody(c);
    const released = await s.store.releaseLock(env, str(body, 'ownerToken'));
    if (released) {
      s.log('lock released', { environment: env, caller: who.name });
      await audit(s, who, 'lock.release', env);
    }
    return c.json({ released });
  });
}

function str(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '' || v.length > 200) throw badField(field, 'a non-empty string of at most 200 characters');
  return v;
}

function optionalStr(body: Record<string, unknown>, field: string): string | undefined {
  return body[field] === undefined ? undefined : str(body, field);
}

function optionalMs(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1000 || v > 24 * 3600_000) throw badField(field, 'a whole number of milliseconds from 1000 to 86400000');
  return v;
}

/**
 * The rest of the deploy coordination over HTTP (what the lock routes do not
 * cover): deployment records, their journal, and breaking a lock by hand.
 * With these and routes/locks.ts a deployer needs only the server, never the
 * store (src/coord/http-coordinator.ts is the client).
 *
 * Writes need the permission `deploy` (force release: `force-release`); reads
 * `read`. Every write is audited with the token's name. A deployment is only created by a runner that may deploy to its
 * environment and holds the environment's lock with the fencing token it
 * names; a journal write with a stale fencing token is refused by the store
 * (409 `lock.stale-token`). Everything is written through the server's store,
 * so its guard sees every free-text field. Must never reveal an owner token.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { StaleFencingTokenError, StoreNotFoundError, type Deployment } from '../../store/index.js';
import { ApiError, badField } from '../api-error.js';
import { DEPLOY_ROLLBACK_FAILED, DEPLOY_ROLLED_BACK, openIncidentOnce, resolveIncidentsWhen } from '../../incidents/index.js';
import { audit, authorize, jsonBody, type ServerContext } from '../context.js';

const text = (max: number) => z.string().trim().min(1, 'a non-empty string').max(max, `at most ${max} characters`);
const millis = z.number().int('a whole number of milliseconds').nonnegative('0 or more');
const token = z.number().int('a whole number').min(1, '1 or more');

const createBody = z.object({
  id: text(200),
  version: text(200),
  digest: text(200),
  runner: text(200),
  actor: text(200),
  state: text(50),
  startedAt: millis,
  fencingToken: token,
  lockWaitMs: millis.nullable().optional(),
}).strict();

const patchBody = z.object({
  state: text(50).optional(),
  runner: text(200).nullable().optional(),
  finishedAt: millis.nullable().optional(),
  result: text(50).nullable().optional(),
  fencingToken: token.nullable().optional(),
  error: z.string().max(20_000).nullable().optional(),
  lockWaitMs: millis.nullable().optional(),
}).strict();

const journalBody = z.object({
  step: text(100),
  target: text(200).nullable(),
  phase: text(50),
  detail: z.string().max(100_000).nullable(),
  fencingToken: token,
  at: millis,
}).strict();

/** Most events one journal request may carry: a deployer batches what its concurrent steps wrote meanwhile. */
export const MAX_JOURNAL_BATCH = 1000;

const journalBatchBody = z.object({ events: z.array(journalBody).min(1).max(MAX_JOURNAL_BATCH) }).strict();

const listQuery = z.object({
  environment: text(200).optional(),
  result: text(50).optional(),
  runner: text(200).optional(),
  since: z.coerce.number().pipe(millis).optional(),
  limit: z.coerce.number().int('a whole number').min(1, '1 or more').max(1000, 'at most 1000').optional(),
});

const forceBody = z.object({ reason: text(500), requestedBy: text(200).optional() }).strict();

/** Deploy incidents a deployer may open and resolve (the deploy-* kinds only). */
const incidentBody = z.object({
  kind: z.enum([DEPLOY_ROLLED_BACK, DEPLOY_ROLLBACK_FAILED]),
  environment: text(200),
  deploymentId: text(200).nullable().optional(),
  cause: z.string().min(1, 'a non-empty string').max(20_000, 'at most 20000 characters'),
  startedAt: millis,
  detectedAt: millis,
}).strict();

const resolveBody = z.object({
  condition: z.object({ type: z.literal('deploy-succeeded'), environment: text(200), deploymentId: text(200).optional() }).strict(),
  at: millis,
  note: z.string().min(1, 'a non-empty string').max(2000, 'at most 2000 characters'),
}).strict();

/** Parses `data` with `schema`; a 400 naming the first offending field otherwise. */
function parse<T>(schema: z.ZodType<T>, data: unknown, where = 'body'): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : where;
  const expected = issue.code === 'unrecognized_keys' ? `no field ${issue.keys.join(', ')}` : issue.code === 'invalid_type' ? `${issue.expected}, got ${issue.received}` : issue.message;
  throw badField(issue.code === 'unrecognized_keys' ? where : field, expected);
}

export function deploymentRoutes(app: Hono, s: ServerContext): void {
  const envOf = (c: Context) => {
    const env = c.req.param('env') ?? '';
    if (!Object.hasOwn(s.config.environments, env)) {
      throw new ApiError(404, 'unknown-environment', `environment ${env.slice(0, 100)} is not in the configuration`);
    }
    return env;
  };
  const deploymentOf = async (c: Context): Promise<Deployment> => {
    const id = c.req.param('id') ?? '';
    const found = await s.store.getDeployment(id);
    if (!found) throw new ApiError(404, 'unknown-deployment', `deployment ${id.slice(0, 100)} does not exist`);
    return found;
  };

  app.post('/api/v1/environments/:env/deployments', async (c) => {
    const who = await authorize(s, c, 'deploy');
    const env = envOf(c);
    const body = parse(createBody, await jsonBody(c));
    authorizeRunner(s, body.runner, env);
    const status = await s.store.lockStatus(env, s.now());
    const h = status.holder;
    if (!h || h.expired || h.runner !== body.runner || h.fencingToken !== body.fencingToken) {
      const held = h ? `it is held by runner ${h.runner ?? 'unknown'} with fencing token ${h.fencingToken}${h.expired ? ' (lease passed)' : ''}` : 'it is free';
      throw new ApiError(409, 'lock.not-held', `runner ${body.runner} does not hold the lock of ${env} with fencing token ${body.fencingToken}: ${held}`);
    }
    if (await s.store.getDeployment(body.id)) throw new ApiError(409, 'deployment.exists', `deployment ${body.id} exists already`);
    const created = await s.store.createDeployment({ ...body, environment: env, lockWaitMs: body.lockWaitMs ?? null });
    s.log('deployment created', { environment: env, deployment: created.id, runner: body.runner, caller: who.name });
    await audit(s, who, 'deployment.create', `deployment:${created.id}`, { environment: env, version: body.version, runner: body.runner });
    return c.json({ deployment: created }, 201);
  });

  app.post('/api/v1/incidents/deploy', async (c) => {
    const who = await authorize(s, c, 'deploy');
    const body = parse(incidentBody, await jsonBody(c));
    if (!Object.hasOwn(s.config.environments, body.environment)) throw badField('environment', 'an environment of the configuration');
    const { incident, opened } = await openIncidentOnce(s.store, body);
    if (opened) await audit(s, who, 'incident.open', `incident:${incident.id}`, { kind: body.kind, environment: body.environment });
    return c.json({ id: incident.id, opened }, opened ? 201 : 200);
  });

  app.post('/api/v1/incidents/deploy/resolve', async (c) => {
    const who = await authorize(s, c, 'deploy');
    const body = parse(resolveBody, await jsonBody(c));
    const resolved = await resolveIncidentsWhen(s.store, body.condition, body.at, body.note, who.name);
    return c.json({ resolved: resolved.length });
  });

  app.patch('/api/v1/deployments/:id', async (c) => {
    const who = await authorize(s, c, 'deploy');
    const patch = parse(patchBody, await jsonBody(c));
    const id = c.req.param('id');
    try {
      const deployment = await s.store.updateDeployment(id, patch);
      await audit(s, who, 'deployment.update', `deployment:${id}`, { fields: Object.keys(patch) });
      return c.json({ deployment });
    } catch (err) {
      if (err instanceof StoreNotFoundError) throw new ApiError(404, 'unknown-deployment', `deployment ${id.slice(0, 100)} does not exist`);
      throw err;
    }
  });

  app.get('/api/v1/deployments', async (c) => {
    await authorize(s, c, 'read');
    const q = parse(listQuery, c.req.query(), 'query');
    return c.json({ deployments: await s.store.listDeployments({ ...q, limit: q.limit ?? 100 }) });
  });

  app.get('/api/v1/deployments/:id/journal', async (c) => {
    await authorize(s, c, 'read');
    const dep = await deploymentOf(c);
    return c.json({ deploymentId: dep.id, events: await s.store.listJournal(dep.id) });
  });

  // One event as the body, or `{ "events": [...] }`: several in order, in one transaction, all or none.
  app.post('/api/v1/deployments/:id/journal', async (c) => {
    const who = await authorize(s, c, 'deploy');
    const dep = await deploymentOf(c);
    const raw = await jsonBody(c);
    const batch = 'events' in raw;
    const events = batch ? parse(journalBatchBody, raw).events : [parse(journalBody, raw)];
    try {
      const written = await s.store.appendJournalEvents(events.map((e) => ({ ...e, deploymentId: dep.id })));
      const seqs = written.map((e) => e.seq);
      const first = events[0];
      const detail = batch ? { seqs: [seqs[0], seqs[seqs.length - 1]], events: events.length } : { seq: seqs[0], step: first.step, phase: first.phase };
      await audit(s, who, 'journal.append', `deployment:${dep.id}`, detail);
      return batch ? c.json({ events: written }, 201) : c.json({ event: written[0] }, 201);
    } catch (err) {
      if (!(err instanceof StaleFencingTokenError)) throw err;
      const { environment, fencingToken, currentToken } = err;
      return c.json({ error: { code: err.code, message: err.message, environment, fencingToken, currentToken } }, 409);
    }
  });

  app.post('/api/v1/environments/:env/lock/force-release', async (c) => {
    const who = await authorize(s, c, 'force-release');
    const env = envOf(c);
    const body = parse(forceBody, await jsonBody(c));
    const reason = body.requestedBy === undefined ? body.reason : `${body.reason} (requested as ${body.requestedBy})`;
    const broken = await s.store.forceReleaseLock(env, who.name, reason, s.now());
    s.log('lock force-released', { environment: env, caller: who.name, broken: broken !== null });
    return c.json({ broken: broken === null ? null : { ...broken, ownerToken: undefined } });
  });
}

/** 403 unless `runner` is configured and may deploy to `env` (the same rule as enqueueing for the lock). */
function authorizeRunner(s: ServerContext, runner: string, env: string): void {
  const view = s.fleet.view(runner);
  if (!view) throw new ApiError(403, 'runner-not-authorized', `runner ${runner.slice(0, 100)} is not in the configuration, so it may not deploy to ${env}`);
  if (!view.environments.includes(env)) {
    throw new ApiError(403, 'runner-not-authorized', `runner ${runner} may not deploy to ${env} (its environments: ${view.environments.join(', ') || 'none'})`);
  }
}

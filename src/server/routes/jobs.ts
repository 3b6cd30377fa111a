/**
 * `GET /api/v1/jobs[?runner=NAME][&limit=N]`: the GitHub Actions jobs the
 * server heard of through its webhooks, most recently updated first, each with
 * its queue time (started - created) and duration (completed - started).
 * Permission `read`. Must never change state.
 */
import type { Hono } from 'hono';
import { ApiError } from '../api-error.js';
import { authorize, type ServerContext } from '../context.js';

const MAX_LIMIT = 1000;

export function jobRoutes(app: Hono, s: ServerContext): void {
  app.get('/api/v1/jobs', async (c) => {
    await authorize(s, c, 'read');
    const runner = c.req.query('runner');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ApiError(400, 'bad-request', `limit: expected a whole number from 1 to ${MAX_LIMIT}`);
    }
    if (runner !== undefined && !s.fleet.has(runner)) {
      throw new ApiError(404, 'unknown-runner', `runner ${runner.slice(0, 100)} is not in the configuration; GET /api/v1/runners lists them`);
    }
    const jobs = await s.store.listWorkflowJobs({ runner, limit });
    return c.json({ jobs });
  });
}

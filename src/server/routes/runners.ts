/**
 * Read routes over the fleet: the runners with their health, one runner with
 * its state history, and the runner selection for an environment.
 * Permission `read`. Must never change state.
 */
import type { Hono } from 'hono';
import { selectRunner } from '../../fleet/select.js';
import { ApiError } from '../api-error.js';
import { authorize, type ServerContext } from '../context.js';

const DAY_MS = 24 * 3600_000;

export function runnerRoutes(app: Hono, s: ServerContext): void {
  app.get('/api/v1/runners', async (c) => {
    await authorize(s, c, 'read');
    return c.json({ runners: s.fleet.views() });
  });

  app.get('/api/v1/runners/:name', async (c) => {
    await authorize(s, c, 'read');
    const name = c.req.param('name');
    const view = s.fleet.view(name);
    if (!view) throw new ApiError(404, 'unknown-runner', `runner ${name.slice(0, 100)} is not in the configuration; GET /api/v1/runners lists them`);
    const history = await s.store.runnerStateHistory(name, s.now() - DAY_MS);
    return c.json({ runner: view, history });
  });

  app.get('/api/v1/select', async (c) => {
    await authorize(s, c, 'read');
    const env = c.req.query('env');
    if (!env) throw new ApiError(400, 'bad-request', 'env: expected the query parameter ?env=ENVIRONMENT');
    if (!Object.hasOwn(s.config.environments, env)) {
      const known = Object.keys(s.config.environments).sort().join(', ') || 'none';
      throw new ApiError(404, 'unknown-environment', `environment ${env.slice(0, 100)} is not in the configuration (known: ${known})`);
    }
    const labels = c.req.queries('label') ?? [];
    const selection = selectRunner(env, s.fleet.candidates(), { requiredLabels: labels });
    return c.json({ environment: env, runner: selection.runner?.name ?? null, considered: selection.considered, summary: selection.summary, ...(selection.warning ? { warning: selection.warning } : {}) });
  });
}

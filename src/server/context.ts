/**
 * What every route of the server gets: its dependencies, built once by
 * createServer. Routes read the fleet and the store through this and nothing
 * global.
 */
import type { Context } from 'hono';
import type { Config } from '../config/index.js';
import type { GitHubClient } from '../github/client.js';
import type { Store } from '../store/index.js';
import { ApiError } from './api-error.js';
import type { Authenticator, Principal } from './auth.js';
import type { FleetMonitor, Log } from './fleet-monitor.js';
import type { Permission } from './permissions.js';
import type { ServerMetrics } from './metrics.js';

export interface ServerContext {
  config: Config;
  store: Store;
  now: () => number;
  log: Log;
  auth: Authenticator;
  fleet: FleetMonitor;
  metrics: ServerMetrics;
  github?: GitHubClient;
  webhookSecret?: string;
}

/** Authenticates the request and checks that its token may do `permission`; throws ApiError 401/403. */
export function authorize(s: ServerContext, c: Context, permission: Permission): Promise<Principal> {
  return s.auth.authenticate(c.req.header('authorization'), permission);
}

/** Records a write a caller made, with its token's name as the actor. Called after the write succeeded. */
export async function audit(s: ServerContext, who: Principal, action: string, target: string, detail: Record<string, unknown> | null = null): Promise<void> {
  await s.store.appendAudit({ at: s.now(), actor: who.name, action, target, detail: detail === null ? null : JSON.stringify(detail) });
}

/** The request's JSON body as an object; 400 when it is not one. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let data: unknown;
  try {
    data = await c.req.json();
  } catch {
    throw new ApiError(400, 'bad-request', 'body: expected a JSON object (Content-Type: application/json)');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ApiError(400, 'bad-request', 'body: expected a JSON object');
  return data as Record<string, unknown>;
}

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

/** The request's JSON body as an object; 400 `bad-json` naming what is wrong otherwise (never quoting the body). */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'bad-json', 'body: empty; expected a JSON object (Content-Type: application/json)');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'bad-json', `body: not valid JSON (${syntaxError(err)}); expected a JSON object`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ApiError(400, 'bad-json', `body: expected a JSON object, got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}`);
  }
  return data as Record<string, unknown>;
}

/** What JSON.parse found wrong, without the part of its message that quotes the input. */
function syntaxError(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const at = / in JSON at position (\d+)/.exec(message);
  if (at) return `${message.slice(0, at.index).toLowerCase()} at character ${at[1]}`;
  const after = /^Unexpected non-whitespace character after JSON at position (\d+)/.exec(message);
  if (after) return `unexpected text after the JSON value at character ${after[1]}`;
  if (message.startsWith('Unexpected end of JSON input')) return 'it ends too early';
  return 'an unexpected character';
}

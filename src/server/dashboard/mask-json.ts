/**
 * Middleware that passes the API's JSON answers through the masker, so a
 * secret that reached a stored reason, description or detail never leaves
 * the server in clear. Leaves every other answer (streams included) alone.
 */
import type { MiddlewareHandler } from 'hono';

export function maskJsonResponses(mask: (text: string) => string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!(c.res.headers.get('content-type') ?? '').includes('application/json')) return;
    const text = await c.res.clone().text();
    const masked = mask(text);
    if (masked === text) return;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(masked, { status: c.res.status, headers });
  };
}

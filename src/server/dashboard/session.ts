/**
 * Who is looking at the dashboard: the token from the login form, kept in an
 * HttpOnly, SameSite=Strict cookie (Secure when the request came over https),
 * or an `Authorization: Bearer` header, checked on every request (a revoked
 * token stops working at once). A server with no tokens lets everyone in (it
 * listens on loopback only). Must never put a token in a URL, a page
 * or a log line.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../api-error.js';
import type { Authenticator, Principal } from '../auth.js';

export const COOKIE = 'pitcrew_token';
const MAX_AGE_S = 12 * 3600;

/** Who is behind the request when its token may read, or null when it has no accepted token. */
export async function viewer(auth: Authenticator, c: Context): Promise<Principal | null> {
  const header = c.req.header('authorization');
  const cookie = getCookie(c, COOKIE);
  const presented = header ?? (cookie ? `Bearer ${cookie}` : undefined);
  try {
    return await auth.authenticate(presented, 'read');
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/** Whether `token` is accepted for reading; the token itself is never echoed. */
export async function accepts(auth: Authenticator, token: string): Promise<Principal | null> {
  if (!/^\S+$/.test(token)) return null;
  try {
    return await auth.authenticate(`Bearer ${token}`, 'read');
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/** Behind a TLS-terminating proxy the request URL is http; the proxy's X-Forwarded-Proto says https. */
function overHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function startSession(c: Context, token: string): void {
  setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: overHttps(c), maxAge: MAX_AGE_S });
}

export function endSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: overHttps(c) });
}

/** A path on this server to go back to after logging in; anything else becomes `/`. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 500) return '/';
  if (/^\/(login|logout|events|fragments)\b/.test(next)) return '/';
  return next;
}

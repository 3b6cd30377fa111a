/**
 * The `http` check: one request with a time limit, a status to expect and
 * optionally a text the body must contain. `{host}` in the URL becomes the
 * target's host, so one check covers every ssh target. A connection that
 * fails or times out is a failure, never a pass.
 */
import type { Check } from '../../config/index.js';
import type { Attempt, CheckPorts, CheckTarget } from './types.js';

export function expandUrl(url: string, host: string): string {
  return url.replaceAll('{host}', host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
}

export async function httpAttempt(check: Check, target: CheckTarget, ports: CheckPorts): Promise<Attempt> {
  if (check.kind !== 'http') throw new Error(`http check given a ${check.kind} check`);
  const url = expandUrl(check.url, target.host);
  const doFetch = ports.fetch ?? fetch;
  try {
    const res = await doFetch(url, { method: check.method, signal: AbortSignal.timeout(check.timeout), redirect: 'manual' });
    const body = check.method === 'HEAD' ? '' : await res.text();
    if (res.status !== check.expectStatus) return { ok: false, detail: `${url} answered ${res.status}, expected ${check.expectStatus}` };
    if (check.expectBody !== undefined && !body.includes(check.expectBody)) {
      return { ok: false, detail: `${url} answered ${res.status} without ${JSON.stringify(check.expectBody)} in its body` };
    }
    return { ok: true, detail: `${url} answered ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${check.timeout} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, detail: `${url}: ${why}` };
  }
}

/**
 * The `http` check: one request with a time limit, a status to expect and
 * optionally a text the body must contain. `{host}` in the URL becomes the
 * target's host, so one check covers every ssh target. Another status or a
 * body without the text is `failed`; no answer (refused, reset, timed out)
 * or an empty body where a text is expected is `inconclusive`, never a pass.
 */
import type { Check } from '../../config/index.js';
import type { Attempt, CheckPorts, CheckTarget } from './types.js';

export function expandUrl(url: string, host: string): string {
  return url.replaceAll('{host}', host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
}

function why(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

export async function httpAttempt(check: Check, target: CheckTarget, ports: CheckPorts): Promise<Attempt> {
  if (check.kind !== 'http') throw new Error(`http check given a ${check.kind} check`);
  const url = expandUrl(check.url, target.host);
  const doFetch = ports.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { method: check.method, signal: AbortSignal.timeout(check.timeout), redirect: 'manual' });
  } catch (err) {
    return { outcome: 'inconclusive', detail: `${url}: ${why(err, check.timeout)}` };
  }
  const wanted = check.method === 'HEAD' ? undefined : check.expectBody;
  if (res.status !== check.expectStatus || wanted === undefined) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status !== check.expectStatus) return { outcome: 'failed', detail: `${url} answered ${res.status}, expected ${check.expectStatus}` };
    return { outcome: 'passed', detail: `${url} answered ${res.status}` };
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    return { outcome: 'inconclusive', detail: `${url} answered ${res.status} but its body did not arrive: ${why(err, check.timeout)}` };
  }
  if (body === '') return { outcome: 'inconclusive', detail: `${url} answered ${res.status} with an empty body; expected ${JSON.stringify(wanted)} in it` };
  if (!body.includes(wanted)) return { outcome: 'failed', detail: `${url} answered ${res.status} without ${JSON.stringify(wanted)} in its body` };
  return { outcome: 'passed', detail: `${url} answered ${res.status} with ${JSON.stringify(wanted)} in its body` };
}

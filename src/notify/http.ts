/**
 * One JSON POST with a timeout and a single retry on a connection error or
 * a 5xx answer. Must never throw anything but NotifyError, and never put a
 * URL in an error (a Slack URL is a secret); errors name the host only.
 */
export class NotifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyError';
  }
}

export interface PostOptions {
  timeoutMs?: number;
  /** Pause before the one retry. */
  retryDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 5000;

type Attempt = { status: number } | { error: string; retry: boolean };

async function attempt(url: string, body: string, headers: Record<string, string>, o: PostOptions): Promise<Attempt> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const res = await (o.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { error: `no answer within ${timeoutMs} ms`, retry: false };
    return { error: `connection failed (${e.cause?.code ?? e.message})`, retry: true };
  }
}

/** POSTs `body`; resolves on a 2xx answer, else throws NotifyError saying why. */
export async function postJson(url: string, body: string, headers: Record<string, string>, o: PostOptions = {}): Promise<void> {
  let last = await attempt(url, body, headers, o);
  const retryable = (a: Attempt) => ('status' in a ? a.status >= 500 : a.retry);
  if (retryable(last)) {
    await (o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(o.retryDelayMs ?? 500);
    last = await attempt(url, body, headers, o);
  }
  if ('error' in last) throw new NotifyError(last.error);
  if (last.status < 200 || last.status > 299) throw new NotifyError(`answered HTTP ${last.status}`);
}

/**
 * GETs with a deadline for doctor's HTTP sources (the local agent, the
 * server). Never puts the bearer token into an error message.
 */
export type Fetch = typeof globalThis.fetch;

export interface HttpAnswer {
  status: number;
  text: string;
}

export async function httpGet(fetchFn: Fetch, url: string, timeoutMs: number, token?: string): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetchFn(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; message?: string };
    const code = e.name === 'TimeoutError' ? 'ETIMEDOUT' : (e.cause?.code ?? 'ECONNFAILED');
    const why = code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : code;
    throw Object.assign(new Error(`GET ${url}: ${why}`), { code });
  }
  return { status: res.status, text: await res.text() };
}

/** The JSON body of a 2xx answer; other answers throw with `status` and the server's error message. */
export async function getJson<T>(fetchFn: Fetch, url: string, timeoutMs: number, token?: string): Promise<T> {
  const { status, text } = await httpGet(fetchFn, url, timeoutMs, token);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw Object.assign(new Error(`GET ${url}: answered ${status} with something that is not JSON`), { status, code: 'ENOTJSON' });
  }
  if (status >= 200 && status < 300) return body as T;
  const message = (body as { error?: { message?: string } }).error?.message ?? `HTTP ${status}`;
  throw Object.assign(new Error(`GET ${url}: ${status} ${message}`), { status, code: `HTTP${status}` });
}

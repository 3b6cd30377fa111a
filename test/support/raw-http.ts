/**
 * HTTP over a bare TCP socket, for tests that send what fetch will not: a
 * Content-Length the body never reaches, a body cut short, raw bytes. Reads
 * one response (headers and a Content-Length body) and resolves with it,
 * whatever the rest of the request was.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `head` (request line and headers, without the blank line) and `body`; resolves with the first full response. */
export function rawRequest(url: string, head: string, body: Buffer | string = '', deadlineMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no full response within ${deadlineMs} ms; got ${got.length} bytes`)), deadlineMs);
    const finish = (err: Error | null, res?: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(res as RawResponse);
    };
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while we still write a body it refused; what it answered before counts.
      const res = parse(got);
      if (res) finish(null, res);
      else if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') finish(err);
    });
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const res = parse(got);
      if (res) finish(null, res);
    });
    socket.on('close', () => finish(new Error(`connection closed before a full response; got ${got.length} bytes`)));
    socket.write(`${head}\r\n\r\n`);
    if (body.length > 0) socket.write(body, () => undefined);
  });
}

function parse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? NaN);
  if (!Number.isFinite(length) || data.length < end + 4 + length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString('utf8') };
}

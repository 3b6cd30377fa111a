/**
 * Binds the agent's HTTP handler to a node:http server: the one file that
 * opens a port. Parses --listen (`HOST:PORT`, `[V6]:PORT`, `:PORT`). It never
 * buffers more of a request body than the handler may accept, and answers a
 * handler that throws with a 500.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { UsageError } from '../errors.js';
import { MAX_HOOK_BYTES, type AgentHandler, type AgentResponse } from './http.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 9101 };

export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new UsageError(`--listen ${JSON.stringify(text)} is not HOST:PORT`, { hint: 'e.g. --listen 127.0.0.1:9101, or 0.0.0.0:9101 to let Prometheus on another host scrape' });
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export interface BoundHttp {
  address: ListenAddress;
  close(): Promise<void>;
}

export function serveHttp(handle: AgentHandler, at: ListenAddress): Promise<BoundHttp> {
  const server = createServer((req, res) => void respond(handle, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${at.host}:${at.port}`;
      reject(new UsageError(`cannot listen on ${where}: ${err.code ?? err.message}`, { hint: err.code === 'EADDRINUSE' ? `another process uses ${where}; pick another with --listen` : 'check --listen', cause: err }));
    });
    server.listen(at.port, at.host, () => {
      const a = server.address() as AddressInfo;
      resolve({
        address: { host: a.address, port: a.port },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function respond(handle: AgentHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = bodyReader(req);
  let out: AgentResponse;
  try {
    out = await handle({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], remoteAddress: req.socket.remoteAddress, body: body.read });
  } catch {
    out = { status: 500, contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error' };
  }
  // A body left unread past the limit is not drained: the connection closes instead.
  if (body.cut) res.shouldKeepAlive = false;
  res.writeHead(out.status, { 'content-type': out.contentType, 'content-length': Buffer.byteLength(out.body) });
  res.end(out.body);
}

/** Reads the request body once, stopping after MAX_HOOK_BYTES + 1 bytes. */
function bodyReader(req: IncomingMessage): { read: () => Promise<Buffer>; readonly cut: boolean } {
  let reading: Promise<Buffer> | undefined;
  const state = {
    cut: false,
    read: () =>
      (reading ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size <= MAX_HOOK_BYTES) return;
          state.cut = true;
          req.off('data', onData).pause();
          resolve(Buffer.concat(chunks).subarray(0, MAX_HOOK_BYTES + 1));
        };
        req.on('data', onData);
        req.once('end', () => resolve(Buffer.concat(chunks)));
        req.once('error', reject);
      })),
  };
  return state;
}

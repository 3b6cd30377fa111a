/**
 * Binds the agent's HTTP app to a socket: the one file that opens a port.
 * Parses --listen (`HOST:PORT`, `[V6]:PORT`, `:PORT`).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { UsageError } from '../errors.js';

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function serveHttp(app: Hono<any>, at: ListenAddress): Promise<BoundHttp> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
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

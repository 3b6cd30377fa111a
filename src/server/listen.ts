/**
 * Binds a PitcrewServer to a TCP socket: HTTP through @hono/node-server and
 * the agent stream through the HTTP server's `upgrade` event. The only file
 * of the server that touches sockets.
 *
 * Refuses to listen beyond loopback when there is no API token at all (none
 * configured, none in the store), since every request would then be let in.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnavailableError, UsageError } from '../errors.js';
import type { PitcrewServer } from './create-server.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Listening {
  /** `http://HOST:PORT` with the port actually bound. */
  url: string;
  address: ListenAddress;
  close(): Promise<void>;
}

/** Parses `HOST:PORT` or `[V6]:PORT`; `where` names the flag or key in errors. */
export function parseListen(text: string, where = '--listen'): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${where} is "${text}"; expected HOST:PORT such as 127.0.0.1:8080 or [::1]:8080`);
  return { host: m[1] ?? m[2], port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function listen(server: PitcrewServer, at: ListenAddress, opts: { authEnabled: boolean }): Promise<Listening> {
  if (!opts.authEnabled && !isLoopback(at.host)) {
    return Promise.reject(new UsageError(`refusing to listen on ${at.host}:${at.port} without API tokens: anyone who can reach it could take deploy locks`, {
      hint: 'create an admin token with: pitcrew token create --role admin --name NAME (or add server.tokens, docs/server.md), or listen on 127.0.0.1',
    }));
  }
  const http = createAdaptorServer({ fetch: server.app.fetch }) as Server;
  http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
  return new Promise((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new UnavailableError(`cannot listen on ${at.host}:${at.port}: ${why}`, { hint: 'pick another address with --listen or server.listen' }));
    });
    http.listen(at.port, at.host, () => {
      const a = http.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        address: { host: a.address, port: a.port },
        close: () =>
          new Promise<void>((done) => {
            http.close(() => done());
            http.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * Where the agent's stream and its server reachability probe point, from the
 * --server URL (http, https, ws or wss; a path prefix is kept).
 */
import { UsageError } from '../errors.js';
import type { TcpTarget } from './probes/tcp.js';

export const STREAM_PATH = 'api/v1/agent/stream';

function parse(serverUrl: string): URL {
  let u: URL;
  try {
    u = new URL(serverUrl);
  } catch {
    throw new UsageError(`--server ${JSON.stringify(serverUrl)} is not a URL`, { hint: 'give the server as http://HOST:PORT or https://HOST' });
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) {
    throw new UsageError(`--server ${serverUrl}: unsupported scheme ${u.protocol}`, { hint: 'use http://, https://, ws:// or wss://' });
  }
  return u;
}

/** `http://h:8080/x` + runner `r1` -> `ws://h:8080/x/api/v1/agent/stream?runner=r1`. */
export function streamUrl(serverUrl: string, runner: string): string {
  const u = parse(serverUrl);
  const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  const base = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  const out = new URL(`${scheme}//${u.host}${base}${STREAM_PATH}`);
  out.searchParams.set('runner', runner);
  return out.toString();
}

/** The server's host and port as a reachability probe named `server`. */
export function serverTcpTarget(serverUrl: string): TcpTarget {
  const u = parse(serverUrl);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { name: 'server', host, port: u.port ? Number(u.port) : secure ? 443 : 80 };
}

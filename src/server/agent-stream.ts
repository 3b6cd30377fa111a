/**
 * The agent stream endpoint, `GET /api/v1/agent/stream?runner=NAME` upgraded
 * to a WebSocket (docs/protocol.md). Refuses before the upgrade with a JSON
 * HTTP answer: 401/403 for the token, 400 without a runner, 404 for a runner
 * not in the configuration. Feeds frames to the FleetMonitor, pings every
 * 5 s and drops a connection that missed a pong. The token is checked again
 * at every ping: a connection whose token was revoked or expired since is
 * closed (1008) within one ping period. Times each heartbeat from
 * frame received to ack sent (pitcrew_server_heartbeat_handling_seconds).
 *
 * Must never log a frame's body or the Authorization header.
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, errorBody } from './api-error.js';
import type { Authenticator } from './auth.js';
import type { AgentSession, FleetMonitor, Log } from './fleet-monitor.js';
import type { ServerMetrics } from './metrics.js';
import { parseAgentFrame } from './agent-frames.js';

export const AGENT_STREAM_PATH = '/api/v1/agent/stream';

export interface AgentStream {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every agent connection (code 1001, going away). */
  close(): void;
}

export function createAgentStream(deps: { fleet: FleetMonitor; auth: Authenticator; log: Log; metrics?: Pick<ServerMetrics, 'heartbeatHandled'>; pingEveryMs?: number }): AgentStream {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const pingEveryMs = deps.pingEveryMs ?? 5000;

  const attach = (runner: string, ws: WebSocket, authorization: string | undefined) => {
    const session: AgentSession = {
      send: (m) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
      },
      close: (code, reason) => ws.close(code, reason),
    };
    let alive = true;
    const pinger = setInterval(() => {
      if (!alive) {
        deps.log('agent missed a pong; dropping the connection', { runner });
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
      deps.auth.authenticate(authorization, 'agent-stream').catch((err: unknown) => {
        deps.log('agent token no longer accepted; closing the connection', { runner, reason: err instanceof ApiError ? err.code : 'error' });
        ws.close(1008, 'token no longer accepted');
      });
    }, pingEveryMs);
    pinger.unref();
    ws.on('pong', () => (alive = true));
    ws.on('close', () => {
      clearInterval(pinger);
      deps.fleet.disconnect(runner, session);
    });
    ws.on('error', (err) => deps.log('agent connection error', { runner, error: err.message }));
    ws.on('message', (data, isBinary) => {
      const received = performance.now();
      alive = true;
      if (isBinary) return session.send({ type: 'error', message: 'frames must be text (JSON)' });
      const frame = parseAgentFrame(data.toString());
      switch (frame.kind) {
        case 'hello':
          if (frame.runner !== runner) session.send({ type: 'error', message: `hello names runner ${frame.runner.slice(0, 64)}, but this connection is for ${runner}` });
          else deps.log('agent hello', { runner, agentVersion: frame.agentVersion, hostname: frame.hostname });
          return;
        case 'heartbeat':
          deps.fleet.heartbeat(runner, session, frame);
          deps.metrics?.heartbeatHandled((performance.now() - received) / 1000);
          return;
        case 'job':
          return deps.fleet.jobEvent(runner, session, frame.event, frame.job);
        case 'unknown':
          return;
        case 'malformed':
          return session.send({ type: 'error', message: frame.message });
      }
    });
    deps.fleet.connect(runner, session);
  };

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://pitcrew');
      const upgrade = async () => {
        if (url.pathname !== AGENT_STREAM_PATH) throw new ApiError(404, 'not-found', `no WebSocket endpoint at ${url.pathname.slice(0, 100)}; agents connect to ${AGENT_STREAM_PATH}`);
        await deps.auth.authenticate(req.headers.authorization, 'agent-stream');
        const runner = url.searchParams.get('runner');
        if (!runner) throw new ApiError(400, 'bad-request', 'runner: expected the query parameter ?runner=NAME');
        if (!deps.fleet.has(runner)) {
          throw new ApiError(404, 'unknown-runner', `runner ${runner.slice(0, 100)} is not in the configuration; add it under runners in pitcrew.yml`);
        }
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => attach(runner, ws, req.headers.authorization));
      };
      upgrade().catch((err: unknown) => {
        if (!(err instanceof ApiError)) deps.log('agent upgrade failed', { error: err instanceof Error ? err.message : String(err) });
        refuse(socket, err instanceof ApiError ? err : new ApiError(500, 'internal', 'the upgrade failed'));
      });
    },
    close() {
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function refuse(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(errorBody(err.code, err.message));
  socket.end(
    `HTTP/1.1 ${err.status} ${REASONS[err.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * A tiny server side of docs/protocol.md for agent tests: a WebSocket server on
 * 127.0.0.1 (port 0 unless given) that checks the bearer token and the runner
 * name before the upgrade, answers `hello` with a `welcome` and every
 * `heartbeat` with an `ack`, records every frame it receives, and can drop its
 * connections or stop and start again on the same port.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ReceivedFrame {
  /** Which connection it came on, counting from 1. */
  conn: number;
  at: number;
  frame: Record<string, unknown> & { type: string };
}

export interface FakeServerOptions {
  token?: string;
  runners?: string[];
  port?: number;
  welcome?: Record<string, unknown>;
  /** Offset added to the server's clock in `serverTime`. */
  clockOffsetMs?: number;
}

export class FakeServer {
  readonly frames: ReceivedFrame[] = [];
  /** Runner names from each accepted upgrade, in order. */
  readonly connections: string[] = [];
  /** Close codes of connections the agent closed, in order. */
  readonly closeCodes: number[] = [];
  /** Status codes of refused upgrades. */
  readonly refused: number[] = [];
  verdict: { state: string; reasons: string[] } = { state: 'online', reasons: [] };
  welcome: Record<string, unknown>;
  private http: Server | undefined;
  private wss = new WebSocketServer({ noServer: true });
  private sockets = new Set<WebSocket>();
  private portNumber = 0;

  constructor(private readonly opts: FakeServerOptions = {}) {
    this.welcome = opts.welcome ?? { probeTargets: [], thresholds: {} };
  }

  static async start(opts: FakeServerOptions = {}): Promise<FakeServer> {
    const s = new FakeServer(opts);
    await s.listen(opts.port ?? 0);
    return s;
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  /** Frames of one type, oldest first. */
  ofType(type: string): ReceivedFrame[] {
    return this.frames.filter((f) => f.frame.type === type);
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Cuts every connection without a closing handshake, as a crashed server would. */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Closes every connection with a code, as a server replacing a connection would (4000). */
  closeAll(code: number, reason = ''): void {
    for (const ws of this.sockets) ws.close(code, reason);
  }

  send(frame: Record<string, unknown>): void {
    for (const ws of this.sockets) ws.send(JSON.stringify(frame));
  }

  async stop(): Promise<void> {
    this.dropAll();
    const http = this.http;
    this.http = undefined;
    if (!http) return;
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }

  /** Listens again on the same port after stop(). */
  async restart(): Promise<void> {
    await this.listen(this.portNumber);
  }

  private async listen(port: number): Promise<void> {
    const http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    this.http = http;
    this.portNumber = (http.address() as AddressInfo).port;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const runner = url.searchParams.get('runner') ?? '';
    const token = this.opts.token ?? 'agent-token';
    let status = 0;
    if (url.pathname !== '/api/v1/agent/stream') status = 404;
    else if (req.headers.authorization !== `Bearer ${token}`) status = 401;
    else if (this.opts.runners && !this.opts.runners.includes(runner)) status = 404;
    if (status) {
      this.refused.push(status);
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, runner));
  }

  private accept(ws: WebSocket, runner: string): void {
    this.connections.push(runner);
    const conn = this.connections.length;
    this.sockets.add(ws);
    ws.on('close', (code) => {
      this.sockets.delete(ws);
      this.closeCodes.push(code);
    });
    ws.on('message', (data) => {
      let frame: ReceivedFrame['frame'];
      try {
        frame = JSON.parse(String(data)) as ReceivedFrame['frame'];
      } catch {
        ws.send(JSON.stringify({ type: 'error', message: 'malformed frame' }));
        return;
      }
      this.frames.push({ conn, at: Date.now(), frame });
      const serverTime = Date.now() + (this.opts.clockOffsetMs ?? 0);
      if (frame.type === 'hello') {
        ws.send(JSON.stringify({ type: 'welcome', serverTime, heartbeatIntervalMs: 1000, ...this.welcome }));
      } else if (frame.type === 'heartbeat') {
        ws.send(JSON.stringify({ type: 'ack', seq: frame.seq, serverTime, ...this.verdict }));
      }
    });
  }
}

/**
 * The one long-lived WebSocket to the server: opens it with the agent token,
 * pings every 5 s and drops a connection whose pong does not come back, and
 * reopens it after any close with backoff and full jitter. It knows nothing
 * of heartbeats or jobs; it never throws out of an event handler.
 */
import { Backoff, type BackoffOptions } from './backoff.js';
import type { Logger } from './log.js';
import { parseServerFrame, type AgentFrame, type ServerFrame } from './protocol.js';
import { messageText, type AgentSocket, type Scheduler, type SocketFactory, type TimerHandle } from './socket.js';

export interface StreamOptions {
  /** ws:// or wss:// URL of the stream endpoint, runner query included. */
  url: string;
  token: string;
  backoff?: BackoffOptions;
  /** WebSocket ping interval; default 5 s. */
  pingIntervalMs?: number;
  handshakeTimeoutMs?: number;
}

export interface StreamPorts {
  now: () => number;
  scheduler: Scheduler;
  random: () => number;
  connect: SocketFactory;
  log: Logger;
}

export interface StreamHandlers {
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onClose(): void;
}

export class AgentStream {
  private socket: AgentSocket | undefined;
  private open = false;
  private stopped = true;
  private openedAt = 0;
  private retryTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private awaitingPong = false;
  private readonly backoff: Backoff;
  private closed: (() => void) | undefined;

  constructor(
    private readonly opts: StreamOptions,
    private readonly ports: StreamPorts,
    private readonly handlers: StreamHandlers,
  ) {
    this.backoff = new Backoff(opts.backoff, ports.random);
  }

  get connected(): boolean {
    return this.open;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Sends one frame; false when there is no open connection. */
  send(frame: AgentFrame): boolean {
    if (!this.open || !this.socket) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the connection (code 1000) and stops reconnecting; resolves once it is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.ports.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopPing();
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      const fallback = this.ports.scheduler.setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000);
      this.closed = () => {
        this.ports.scheduler.clearTimeout(fallback);
        resolve();
      };
      try {
        socket.close(1000, 'agent stopping');
      } catch {
        socket.terminate();
      }
    });
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    let socket: AgentSocket;
    try {
      socket = this.ports.connect(this.opts.url, {
        headers: { authorization: `Bearer ${this.opts.token}` },
        handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 10_000,
      });
    } catch (err) {
      this.ports.log('cannot open the stream to the server', { url: redactUrl(this.opts.url), error: errorText(err) });
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    let lastError: string | undefined;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.open = true;
      this.openedAt = this.ports.now();
      this.ports.log('connected to the server', { url: redactUrl(this.opts.url) });
      this.startPing(socket);
      this.safely(() => this.handlers.onOpen());
    });
    socket.on('message', (data) => {
      if (this.socket !== socket) return;
      const frame = parseServerFrame(messageText(data));
      if (frame) this.safely(() => this.handlers.onFrame(frame));
    });
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('error', (err) => {
      lastError = errorText(err);
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      const wasOpen = this.open;
      this.socket = undefined;
      this.open = false;
      this.stopPing();
      if (wasOpen) {
        const upMs = this.ports.now() - this.openedAt;
        this.backoff.connectionEnded(upMs);
        this.ports.log('disconnected from the server', { code, reason: reason.toString('utf8') || undefined, error: lastError, upMs, hint: closeHint(code) });
        this.safely(() => this.handlers.onClose());
      } else {
        this.ports.log('cannot connect to the server', { url: redactUrl(this.opts.url), error: lastError ?? `closed with code ${code}`, hint: connectHint(lastError) });
      }
      const done = this.closed;
      this.closed = undefined;
      done?.();
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delayMs = this.backoff.next();
    this.ports.log('reconnecting', { inMs: delayMs, ceilingMs: this.backoff.ceilingMs });
    this.retryTimer = this.ports.scheduler.setTimeout(() => this.connect(), delayMs);
  }

  private startPing(socket: AgentSocket): void {
    this.awaitingPong = false;
    const every = this.opts.pingIntervalMs ?? 5000;
    const tick = () => {
      if (this.awaitingPong) {
        this.ports.log('no pong from the server: dropping the connection', { afterMs: every });
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        socket.ping();
      } catch {
        // the close event follows
      }
      this.pingTimer = this.ports.scheduler.setTimeout(tick, every);
    };
    this.pingTimer = this.ports.scheduler.setTimeout(tick, every);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) this.ports.scheduler.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.ports.log('stream handler failed', { error: errorText(err) });
    }
  }
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

/** The URL without credentials a user may have put in it. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function closeHint(code: number): string | undefined {
  if (code === 4000) return 'another agent connected with the same runner name; run one agent per runner';
  return undefined;
}

function connectHint(error: string | undefined): string | undefined {
  if (!error) return undefined;
  if (/\b401\b/.test(error)) return 'the server refused the token; pass an agent-role token with --token or $PITCREW_TOKEN';
  if (/\b403\b/.test(error)) return 'the token lacks the agent role; create one with the agent role';
  if (/\b404\b/.test(error)) return 'the server does not know this runner name; add it under runners in pitcrew.yml';
  return undefined;
}

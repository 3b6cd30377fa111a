/**
 * The narrow WebSocket port the agent's stream uses, and the scheduler port
 * its timers go through, with defaults backed by `ws` and Node's timers.
 * Tests pass their own to drive reconnects and heartbeats without real time.
 */
import WebSocket from 'ws';

/** The part of a `ws` WebSocket the agent uses. */
export interface AgentSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake (half-open peers). */
  terminate(): void;
  ping(): void;
  on(event: 'open' | 'pong', listener: () => void): unknown;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export type SocketFactory = (url: string, options: { headers: Record<string, string>; handshakeTimeoutMs: number }) => AgentSocket;

export const wsSocketFactory: SocketFactory = (url, { headers, handshakeTimeoutMs }) =>
  new WebSocket(url, { headers, handshakeTimeout: handshakeTimeoutMs, maxPayload: 1024 * 1024 }) as unknown as AgentSocket;

export type TimerHandle = unknown;

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The text of a message as `ws` delivers it. */
export function messageText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

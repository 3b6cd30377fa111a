/**
 * A small agent that speaks docs/protocol.md over a real WebSocket, for
 * tests: it says hello, sends heartbeats (one at a time or pumped on an
 * interval, like the real agent) and records every frame the server sends.
 */
import WebSocket from 'ws';
import type { ProbeResult } from '../../src/agent/probes/types.js';

export interface ServerFrame {
  type: string;
  [key: string]: unknown;
}

export class TestAgent {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private seq = 0;
  private pumpTimer?: NodeJS.Timeout;
  private listeners: Array<() => void> = [];

  private constructor(
    private readonly ws: WebSocket,
    readonly runner: string,
  ) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const l of [...this.listeners]) l();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      this.stopPump();
      resolve({ code, reason: reason.toString() });
    }));
  }

  /** Opens the stream for `runner`; rejects with the HTTP status when the server refuses the upgrade. */
  static connect(baseUrl: string, runner: string, token?: string): Promise<TestAgent> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/agent/stream?runner=${encodeURIComponent(runner)}`;
    const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const agent = new TestAgent(ws, runner);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(agent));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new RefusedUpgrade(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  hello(): void {
    this.send({ type: 'hello', runner: this.runner, agentVersion: 'test', hostname: 'test-host', sentAt: Date.now() });
  }

  /** Sends one heartbeat and resolves with the server's ack for it. */
  async heartbeat(probes: ProbeResult[], job: object | null = null): Promise<ServerFrame> {
    const seq = ++this.seq;
    this.send({ type: 'heartbeat', seq, sentAt: Date.now(), probes, job });
    return this.next((f) => f.type === 'ack' && f.seq === seq);
  }

  /** Sends a heartbeat every `everyMs` until stopPump(), like the real agent; `probes()` is read each time. */
  pump(probes: () => ProbeResult[], everyMs = 40): void {
    this.stopPump();
    const beat = () => {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      this.send({ type: 'heartbeat', seq: ++this.seq, sentAt: Date.now(), probes: probes(), job: null });
    };
    beat();
    this.pumpTimer = setInterval(beat, everyMs);
  }

  stopPump(): void {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that matches. */
  next(match: (f: ServerFrame) => boolean, deadlineMs = 5000): Promise<ServerFrame> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`no matching frame within ${deadlineMs} ms; got types ${this.frames.map((f) => f.type).join(', ')}`));
      }, deadlineMs);
      const check = () => {
        const f = this.frames.find(match);
        if (!f) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve(f);
      };
      this.listeners.push(check);
    });
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    this.stopPump();
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000, 'test done');
    await this.closed;
  }
}

export class RefusedUpgrade extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
  }
}

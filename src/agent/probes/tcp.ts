/**
 * Can this host open a TCP connection to host:port, and how long did it take?
 * Opens the connection and closes it at once; it never sends a byte.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { errorCode, systemClock, tcpProbeName, type Clock, type ProbeResult } from './types.js';

export interface TcpTarget {
  /** Shown in the probe name, `tcp:<name>`; defaults to `host:port`. */
  name?: string;
  host: string;
  port: number;
}

export interface TcpPorts {
  timeoutMs: number;
  now: Clock;
  /** Monotonic milliseconds, for the latency. */
  monotonic: () => number;
}

export const defaultTcpPorts: TcpPorts = { timeoutMs: 2000, now: systemClock, monotonic: () => performance.now() };

export function probeTcp(target: TcpTarget, ports: Partial<TcpPorts> = {}): Promise<ProbeResult> {
  const p = { ...defaultTcpPorts, ...ports };
  const where = `${target.host}:${target.port}`;
  const probe = tcpProbeName(target.name ?? where);
  const facts = { host: target.host, port: target.port };
  const started = p.monotonic();
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ probe, ok: false, error: 'ETIMEDOUT', detail: `no TCP connection to ${where} within ${p.timeoutMs} ms`, facts, at: p.now() });
    }, p.timeoutMs);
    socket.once('connect', () => {
      const latency = Math.max(0, p.monotonic() - started);
      finish({
        probe,
        ok: true,
        value: Math.round(latency * 10) / 10,
        unit: 'ms',
        detail: `connected to ${where} in ${latency.toFixed(1)} ms`,
        facts,
        at: p.now(),
      });
    });
    socket.once('error', (err) => {
      const error = errorCode(err);
      finish({ probe, ok: false, error, detail: `cannot connect to ${where}: ${error}`, facts, at: p.now() });
    });
  });
}

/**
 * The `tcp` check: something accepts a connection on host:port within the
 * time limit. The host defaults to the target's. Nothing is sent, so nothing
 * can answer wrongly: a connection is `passed`, anything else (refused,
 * reset, unreachable, no connection in time) is `inconclusive`.
 */
import { connect } from 'node:net';
import type { Check } from '../../config/index.js';
import type { Attempt, CheckPorts, CheckTarget } from './types.js';

export function tcpAttempt(check: Check, target: CheckTarget, _ports: CheckPorts): Promise<Attempt> {
  if (check.kind !== 'tcp') throw new Error(`tcp check given a ${check.kind} check`);
  const host = check.host ?? target.host;
  const where = `${host}:${check.port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port: check.port });
    const done = (a: Attempt) => {
      socket.destroy();
      resolve(a);
    };
    socket.setTimeout(check.timeout, () => done({ outcome: 'inconclusive', detail: `${where}: no connection within ${check.timeout} ms` }));
    socket.once('connect', () => done({ outcome: 'passed', detail: `${where} accepted a connection` }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ outcome: 'inconclusive', detail: `${where}: ${err.code ?? err.message}` }));
  });
}

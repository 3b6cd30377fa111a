/**
 * Is the heartbeat fresh? On the runner host: the agent is connected and its
 * last ack is recent. From the server: the last heartbeat's age against the
 * runner's heartbeat timeout.
 */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { ago, duration, why } from './shared.js';

const meta = { id: 'agent.heartbeat', title: 'heartbeat reaches the server and is fresh' };

export const agentHeartbeat: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const timeout = s.thresholds.heartbeatTimeoutMs;
    const evidence: string[] = [];
    const problems: string[] = [];
    const agent = s.mode === 'runner-host' ? await s.agentStatus() : undefined;
    if (agent?.kind === 'ok') {
      const a = agent.value;
      const age = a.lastAckAt === null ? null : s.now() - a.lastAckAt;
      evidence.push(`agent: connected ${a.connected ? 'yes' : 'no'}, last ack ${age === null ? 'never' : ago(age)}`);
      if (!a.connected) problems.push('the agent is not connected to the server');
      else if (age === null || age > timeout) problems.push(`the agent's last ack is ${age === null ? 'missing' : `${duration(age)} old`} (timeout ${duration(timeout)})`);
    }
    const server = await s.serverRunner();
    if (server.kind === 'ok') {
      const r = server.value.runner;
      evidence.push(`server: last heartbeat ${r.lastHeartbeatAgeMs === null ? 'never' : ago(r.lastHeartbeatAgeMs)}, agent connected ${r.connected ? 'yes' : 'no'}`);
      if (r.lastHeartbeatAgeMs === null || r.lastHeartbeatAgeMs > timeout) {
        problems.push(`the server's last heartbeat from ${r.name} is ${r.lastHeartbeatAgeMs === null ? 'missing' : `${duration(r.lastHeartbeatAgeMs)} old`} (timeout ${duration(timeout)})`);
      }
    } else if (server.kind === 'error') {
      evidence.push(`server: ${server.error}`);
    }
    if (evidence.length === 0) {
      return skip(meta, `neither the agent nor the server could be asked: ${agent ? why(agent) : 'server view only'}; ${why(server)}`);
    }
    if (problems.length === 0) return result(meta, 'pass', evidence);
    return result(meta, 'fail', [...evidence, ...problems], {
      cause: 'heartbeats stopped: the agent is down, cannot reach the server, or its token was refused',
      fix: 'journalctl -u pitcrew-agent -n 50 | grep -E "cannot connect|disconnected|refused"',
      runbook: RUNBOOKS.runnerOffline,
    });
  },
};

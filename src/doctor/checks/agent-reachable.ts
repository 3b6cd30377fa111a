/** Does the local agent answer GET /status? Without it the server hears nothing from this runner. */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';

const meta = { id: 'agent.reachable', title: 'agent answers on this host' };

export const agentReachable: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    if (s.mode !== 'runner-host') return skip(meta, 'server view only: the agent is checked on the runner host');
    const status = await s.agentStatus();
    const url = s.opts.agentUrl;
    if (status.kind === 'ok') {
      return result(meta, 'pass', [`agent at ${url} answers for runner ${status.value.runner}, connected to the server: ${status.value.connected ? 'yes' : 'no'}`]);
    }
    const error = status.kind === 'error' ? status.error : status.reason;
    return result(meta, 'fail', [error], {
      cause: 'the pitcrew agent is not running (or listens elsewhere), so the server gets no heartbeats and marks the runner offline',
      fix: 'sudo systemctl restart pitcrew-agent && journalctl -u pitcrew-agent -n 50',
      runbook: RUNBOOKS.runnerOffline,
    });
  },
};

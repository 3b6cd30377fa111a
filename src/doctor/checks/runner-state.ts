/** The server's verdict on the runner (online / degraded / offline), its reasons and its last state changes. */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { iso } from './shared.js';

const meta = { id: 'runner.state', title: "server's verdict on the runner" };

export const runnerState: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const answer = await s.serverRunner();
    if (answer.kind === 'absent') return skip(meta, answer.reason);
    if (answer.kind === 'error') {
      const unauthorized = answer.status === 401 || answer.status === 403;
      return result(meta, 'fail', [answer.error], unauthorized
        ? { cause: 'the server refused the token: it expired, was rotated, or its role is too low', fix: 'pitcrew --server "$PITCREW_SERVER" --token "$PITCREW_TOKEN" runners', runbook: RUNBOOKS.secretsExpired }
        : answer.status === 404
          ? { cause: `the server does not know runner ${s.runner}: it is not in the server's pitcrew.yml`, fix: 'pitcrew runners' }
          : { cause: 'the pitcrew server cannot be reached or is failing', fix: `curl -sS ${s.opts.server ?? '$PITCREW_SERVER'}/healthz`, runbook: RUNBOOKS.serverDown });
    }
    const { runner: r, history } = answer.value;
    const evidence = [`state ${r.state}${r.since ? ` since ${iso(r.since)}` : ''}${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}`];
    for (const h of history.slice(-3)) evidence.push(`${iso(h.at)} ${h.from} -> ${h.to}${h.reasons.length ? `: ${h.reasons.join('; ')}` : ''}`);
    if (!r.authorized) evidence.push('the runner is not authorized (not in the server\'s configuration)');
    if (r.state === 'online' && r.authorized) return result(meta, 'pass', evidence);
    const more = { fix: `pitcrew runners && pitcrew doctor --runner ${r.name}` };
    if (r.state === 'degraded') return result(meta, 'warn', evidence, { ...more, cause: 'a probe crossed its threshold; deploys pass this runner over', runbook: RUNBOOKS.runnerDegraded });
    return result(meta, 'fail', evidence, { ...more, cause: r.state === 'offline' ? 'the server does not hear this runner or its service is down' : 'the runner is not authorized to deploy', runbook: RUNBOOKS.runnerOffline });
  },
};

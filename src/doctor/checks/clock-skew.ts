/** The runner's clock against the server's, as measured from heartbeat round trips. */
import { ProbeName } from '../../agent/probes/types.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { seenProbe } from './shared.js';

const meta = { id: 'host.clock-skew', title: 'clock agrees with the server' };

export const clockSkew: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const seen = await seenProbe(s, ProbeName.clockSkew);
    if (!seen) return skip(meta, 'no clock-skew figure yet: it comes from the agent\'s acknowledged heartbeats');
    const evidence = [`${seen.probe.detail} (${seen.from})`];
    if (seen.probe.ok) return result(meta, 'pass', evidence);
    return result(meta, 'fail', evidence, {
      cause: 'the host\'s clock is off: lease expiries and token lifetimes are judged wrong',
      fix: 'timedatectl status && chronyc tracking',
      runbook: RUNBOOKS.runnerDegraded,
    });
  },
};

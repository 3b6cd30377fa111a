/** Is the GitHub Actions runner service running (systemd unit or pid file), and has it been restarting? */
import { ProbeName } from '../../agent/probes/types.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { seenProbe } from './shared.js';

const meta = { id: 'runner.service', title: 'runner service is running' };

export const runnerService: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const seen = await seenProbe(s, ProbeName.runnerService);
    if (!seen) return skip(meta, 'no runner-service probe: pass --service UNIT or --pid-file FILE on the runner host');
    const p = seen.probe;
    const unit = typeof p.facts?.unit === 'string' ? p.facts.unit : undefined;
    const pidFile = typeof p.facts?.pidFile === 'string' ? p.facts.pidFile : undefined;
    const evidence = [`${p.detail} (${seen.from})`];
    const history = await s.serviceHistory();
    if (history.kind === 'ok') {
      const h = history.value;
      const parts = [
        h.ActiveEnterTimestamp ? `last started ${h.ActiveEnterTimestamp}` : '',
        h.InactiveEnterTimestamp ? `last stopped ${h.InactiveEnterTimestamp}` : '',
        h.ExecMainStatus ? `main process exit status ${h.ExecMainStatus}` : '',
        h.Result && h.Result !== 'success' ? `result ${h.Result}` : '',
      ].filter(Boolean);
      if (parts.length) evidence.push(`systemd: ${parts.join('; ')}`);
    }
    const look = unit ? `sudo systemctl status ${unit} && journalctl -u ${unit} -n 50` : `cat ${pidFile ?? 'PIDFILE'} && ps -fp "$(cat ${pidFile ?? 'PIDFILE'})"`;
    if (p.ok) {
      const restarts = typeof p.facts?.restarts === 'number' ? p.facts.restarts : 0;
      if (restarts > 0) {
        return result(meta, 'warn', evidence, { cause: `systemd restarted the runner ${restarts} time(s): it crashed`, fix: `journalctl -u ${unit ?? 'UNIT'} -n 200 | grep -iE "exit|error|fail"`, runbook: RUNBOOKS.runnerOffline });
      }
      return result(meta, 'pass', evidence);
    }
    if (p.error !== undefined) return result(meta, 'warn', evidence, { cause: 'the probe could not tell whether the runner runs', fix: look });
    return result(meta, 'fail', evidence, {
      cause: 'the runner process is not running: GitHub sends it no jobs and the server marks it offline',
      fix: unit ? `sudo systemctl restart ${unit} && journalctl -u ${unit} -n 50` : look,
      runbook: RUNBOOKS.runnerOffline,
    });
  },
};

/**
 * What the runner wrote in `_diag/Runner_*.log` that needs a human: its
 * registration is gone from GitHub, or its version is too old to get jobs.
 */
import { scanDiagMessages, type DiagFindingKind } from '../../agent/diag-log.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { iso } from './shared.js';

function diagCheck(id: string, title: string, kind: DiagFindingKind, cause: string, fix: (dir: string) => string, runbook: string): DoctorCheck {
  const meta = { id, title };
  return {
    ...meta,
    scope: 'runner',
    async run(s) {
      const diag = await s.diag();
      if (diag.kind === 'absent') return skip(meta, diag.reason);
      if (diag.kind === 'error') return result(meta, 'warn', [diag.error], { cause: 'the _diag folder could not be read', fix: `ls -l ${s.opts.diagDir ?? '_diag'}` });
      const found = scanDiagMessages(diag.value.lines).filter((f) => f.kind === kind);
      if (found.length === 0) return result(meta, 'pass', [`no such message in ${diag.value.file}`]);
      const last = found[found.length - 1];
      return result(meta, 'fail', [`${diag.value.file}:${last.index + 1}${last.at ? ` (${iso(last.at)})` : ''}: ${last.message}`, `seen ${found.length} time(s)`], {
        cause: `${cause}: ${last.hint}`,
        fix: fix(s.opts.diagDir ?? '_diag'),
        runbook,
      });
    },
  };
}

export const diagRunnerRemoved = diagCheck(
  'diag.runner-removed',
  'runner registration still exists on GitHub (per _diag)',
  'runner-removed',
  'GitHub deleted the runner\'s registration',
  (dir) => `grep -n "no longer exists on the server" ${dir}/Runner_*.log | tail -3`,
  RUNBOOKS.runnerUnregistered,
);

export const diagVersionDeprecated = diagCheck(
  'diag.version-deprecated',
  'runner version still accepted by GitHub (per _diag)',
  'runner-version-deprecated',
  'GitHub refuses this runner version',
  (dir) => `grep -n -i "deprecated" ${dir}/Runner_*.log | tail -3; cat ${dir}/../.runner 2>/dev/null`,
  RUNBOOKS.runnerVersionDeprecated,
);

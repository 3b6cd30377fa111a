/**
 * Which failures become annotations. The report alone cannot say: after a
 * rollback a target's `checks` hold the rollback's (passing) checks, so the
 * failure that caused it is read from the narration as it happens: the
 * failure that triggers a rollback, one tolerated within
 * batch.maxFailPercent, a target a rollback could not bring back. Then the
 * deploy's own failure from its report. Classifies text only; never prints.
 */
import type { DeployReport } from '../report.js';

const TRIGGER = / — (rolling back all \d+ targets?|within batch\.maxFailPercent \(\d+%\), putting \S+ back alone)$/;

/** The failure a narration line reports (without its "— rolling back" tail), or undefined. */
export function failureOf(line: string): string | undefined {
  const m = line.match(TRIGGER);
  if (m !== null) return line.slice(0, m.index);
  if (line.startsWith('ROLLBACK FAILED on ')) return line;
  return undefined;
}

/** The deploy's own failure, when it did not succeed. */
export function finalFailure(report: DeployReport): string | undefined {
  if (report.exitCode === 0) return undefined;
  return `${report.kind} of ${report.environment} ${report.result}${report.error === undefined ? '' : `: ${report.error}`}`;
}

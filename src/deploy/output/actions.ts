/**
 * Deploy output under GitHub Actions: the narration in collapsible groups,
 * one per phase (`::group::stage on 3 targets` ... `::endgroup::`), the
 * outcome line outside any group, every failure as an `::error` annotation,
 * and a Markdown summary appended to $GITHUB_STEP_SUMMARY. Every line goes
 * through the caller's (masked) sink and every annotation and summary through
 * the masker. Must never leave a group open once finished.
 */
import { annotation, appendStepSummary, formatCommand, type FilePort } from '../../github/actions/index.js';
import type { SecretMasker } from '../../mask/masker.js';
import type { DeployReport } from '../report.js';
import { failureOf, finalFailure } from './failures.js';
import { phaseOf } from './phases.js';
import { deploySummary, type PhaseTiming } from './summary.js';
import type { DeployOutput } from './types.js';

export interface ActionsOutputOptions {
  write: (line: string) => void;
  env: Record<string, string | undefined>;
  masker: SecretMasker;
  now?: () => number;
  files?: FilePort;
}

export function actionsOutput(o: ActionsOutputOptions): DeployOutput {
  const now = o.now ?? (() => Date.now());
  const startedAt = now();
  const phases: Array<{ title: string; start: number; end?: number }> = [];
  let open = false;
  let finished = false;
  const close = (): void => {
    const last = phases.at(-1);
    if (last !== undefined && last.end === undefined) last.end = now();
    if (open) o.write('::endgroup::');
    open = false;
  };
  const error = (message: string, title: string): void => o.write(annotation(o.masker, 'error', message, { title }));
  /** Failures read from the narration; annotated once the outcome is known. */
  const failures: string[] = [];

  return {
    say(line) {
      const mark = phaseOf(line);
      if (mark?.kind === 'end') close();
      if (mark?.kind === 'phase' && !(open && phases.at(-1)?.title === mark.title)) {
        close();
        phases.push({ title: mark.title, start: now() });
        o.write(formatCommand('group', {}, o.masker.mask(mark.title)));
        open = true;
      }
      o.write(line);
      const failure = failureOf(line);
      if (failure !== undefined) failures.push(failure);
    },
    finish(report: DeployReport) {
      if (finished) return;
      finished = true;
      close();
      const title = `pitcrew ${report.kind}`;
      const final = finalFailure(report);
      for (const message of final === undefined ? failures : [...failures, final]) error(message, title);
      const path = o.env.GITHUB_STEP_SUMMARY;
      if (path === undefined || path === '') return;
      const timing = { totalMs: now() - startedAt, phases: phases.map((p): PhaseTiming => ({ title: p.title, ms: (p.end ?? now()) - p.start })) };
      try {
        appendStepSummary(deploySummary(report, timing, o.masker), { env: o.env, masker: o.masker, files: o.files });
      } catch (err) {
        o.write(annotation(o.masker, 'warning', `could not append the deploy summary to $GITHUB_STEP_SUMMARY (${path}): ${(err as Error).message}`, { title }));
      }
    },
    fail(err, kind) {
      if (finished) return;
      finished = true;
      close();
      for (const message of [...failures, err instanceof Error ? err.message : String(err)]) error(message, `pitcrew ${kind}`);
    },
  };
}

/**
 * What the deploy commands print through: the narration, then the outcome.
 * Implementations decide the format (plain lines, GitHub Actions groups);
 * none of them may write the --json document, which the command prints.
 */
import type { DeployReport } from '../report.js';

export interface DeployOutput {
  /** One line of the engine's narration. */
  say(line: string): void;
  /** The engine returned a report (any result). Called once; later calls do nothing. */
  finish(report: DeployReport): void;
  /** The command stopped with an error before a report existed (refused artifact, lock not free, usage). */
  fail(err: unknown, kind: DeployReport['kind']): void;
}

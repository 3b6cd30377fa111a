/**
 * The output of `deploy`, `rollback` and `recover`, chosen once per
 * invocation: under GitHub Actions (GITHUB_ACTIONS=true) grouped narration,
 * `::error` annotations and a step summary; elsewhere the plain narration,
 * one line per step (already live in a terminal). The narration goes to
 * stdout, or to stderr when stdout carries the --json document. Must never
 * write to stdout when --json is set.
 */
import { isGithubActions } from '../../github/actions/index.js';
import type { CliContext } from '../../cli/context.js';
import { actionsOutput } from './actions.js';
import type { DeployOutput } from './types.js';

export type { DeployOutput } from './types.js';
export { actionsOutput, type ActionsOutputOptions } from './actions.js';
export { deploySummary, formatDuration, type PhaseTiming } from './summary.js';
export { failureOf, finalFailure } from './failures.js';
export { phaseOf, type PhaseMark } from './phases.js';

export function plainOutput(write: (line: string) => void): DeployOutput {
  return { say: write, finish: () => undefined, fail: () => undefined };
}

const outputs = new WeakMap<CliContext, DeployOutput>();

/** The invocation's output (the same object for every caller with this context). */
export function deployOutput(ctx: CliContext): DeployOutput {
  let out = outputs.get(ctx);
  if (out === undefined) {
    const sink = ctx.globals.json ? ctx.io.stderr : ctx.io.stdout;
    const write = (line: string): void => sink.write(`${line}\n`);
    out = isGithubActions(ctx.env) ? actionsOutput({ write, env: ctx.env, masker: ctx.masker }) : plainOutput(write);
    outputs.set(ctx, out);
  }
  return out;
}

/**
 * What a check is run against and what it returns. A check never throws for
 * a failing service: it returns a result with the number of attempts, the
 * time they took and a detail a human can act on. An attempt is `passed`,
 * `failed` (a definite wrong answer: a wrong status, a body or output without
 * the expected text, a non-zero exit) or `inconclusive` (no answer, no data:
 * a refused or reset connection, a timeout, an empty body or output where a
 * text was expected, a command killed). Inconclusive is never a pass.
 */
import type { Check } from '../../config/index.js';
import type { TargetSession } from '../transports/transport.js';

/** A step's outcome (stage, switch, restart, rollback). */
export type Outcome = 'ok' | 'failed' | 'not-run';

/** One attempt's outcome. */
export type AttemptOutcome = 'passed' | 'failed' | 'inconclusive';

/** A check's outcome: its last attempt's, or `not-run` (an earlier check did not pass, or it was interrupted first). */
export type CheckOutcome = AttemptOutcome | 'not-run';

export interface CheckTarget {
  name: string;
  /** Host the service listens on: the ssh host, or 127.0.0.1 for local targets. */
  host: string;
  session: TargetSession;
}

export interface CheckResult {
  check: string;
  kind: string;
  target: string;
  status: CheckOutcome;
  attempts: number;
  /** From the first attempt's start to the last attempt's end, pauses between attempts included. */
  durationMs: number;
  detail: string;
}

/** One attempt's verdict. */
export interface Attempt {
  outcome: AttemptOutcome;
  detail: string;
}

export interface CheckPorts {
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs one attempt of a check of its kind. */
export type CheckRunner = (check: Check, target: CheckTarget, ports: CheckPorts) => Promise<Attempt>;

/** A readable name: the check's `name`, else its kind and what it looks at. */
export function checkLabel(check: Check): string {
  if (check.name !== undefined) return check.name;
  if (check.kind === 'http') return `http ${check.url}`;
  if (check.kind === 'command') return `command ${JSON.stringify(check.run)}`;
  return `tcp ${check.host ?? '{host}'}:${check.port}`;
}

/** `passed after 2 attempts in 1.4 s`: the outcome with its attempts and time, for the journal and the narration. */
export function describeResult(r: CheckResult): string {
  const time = r.durationMs < 1000 ? `${Math.round(r.durationMs)} ms` : `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.status === 'not-run') return `${r.check}: not-run (${r.detail})`;
  return `${r.check}: ${r.status} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'} in ${time} (${r.detail})`;
}

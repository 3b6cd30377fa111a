/**
 * What a check is run against and what it returns. A check never throws for
 * a failing service: it returns a result (`ok`, `failed`, `not-run`) with the
 * number of attempts and a detail a human can act on. "No data" (nothing
 * answered, a timeout) is always `failed`, never a pass.
 */
import type { Check } from '../../config/index.js';
import type { TargetSession } from '../transports/transport.js';

export type Outcome = 'ok' | 'failed' | 'not-run';

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
  status: Outcome;
  attempts: number;
  detail: string;
}

/** One attempt's verdict. */
export interface Attempt {
  ok: boolean;
  detail: string;
}

export interface CheckPorts {
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
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

/**
 * Check kinds by name, and the loop that runs one check with its retries.
 * An unknown kind is answered with the valid ones.
 */
import type { Check } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import { commandAttempt } from './command.js';
import { httpAttempt } from './http.js';
import { tcpAttempt } from './tcp.js';
import { checkLabel, type Attempt, type CheckPorts, type CheckResult, type CheckRunner, type CheckTarget } from './types.js';

export const checkRunners: ReadonlyMap<string, CheckRunner> = new Map<string, CheckRunner>([
  ['http', httpAttempt],
  ['command', commandAttempt],
  ['tcp', tcpAttempt],
]);

export function checkRunnerFor(kind: string, registry: ReadonlyMap<string, CheckRunner> = checkRunners): CheckRunner {
  const runner = registry.get(kind);
  if (runner === undefined) {
    throw new UsageError(`unknown check kind ${JSON.stringify(kind)}; valid kinds: ${[...registry.keys()].sort().join(', ')}`, {
      code: 'check.unknown',
    });
  }
  return runner;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An attempt that threw (a transport error, a bug in a kind) gave no answer: inconclusive. */
async function attemptOnce(run: CheckRunner, check: Check, target: CheckTarget, ports: CheckPorts): Promise<Attempt> {
  try {
    return await run(check, target, ports);
  } catch (err) {
    return { outcome: 'inconclusive', detail: (err as Error).message };
  }
}

/**
 * Runs `check` on `target` up to 1 + retries times, retrying after a failed
 * or an inconclusive attempt; the outcome and detail are the last attempt's.
 */
export async function runCheck(check: Check, target: CheckTarget, ports: CheckPorts = {}, registry = checkRunners): Promise<CheckResult> {
  const run = checkRunnerFor(check.kind, registry);
  const now = ports.now ?? (() => performance.now());
  const base = { check: checkLabel(check), kind: check.kind, target: target.name };
  const start = now();
  let last: Attempt = { outcome: 'inconclusive', detail: 'not run' };
  let attempts = 0;
  for (let i = 0; i <= check.retries; i++) {
    if (ports.signal?.aborted === true) break;
    if (i > 0) await (ports.sleep ?? defaultSleep)(check.interval);
    attempts++;
    last = await attemptOnce(run, check, target, ports);
    if (last.outcome === 'passed') break;
  }
  const durationMs = Math.max(0, now() - start);
  if (attempts === 0) return { ...base, status: 'not-run', attempts, durationMs, detail: 'interrupted before the first attempt' };
  if (last.outcome === 'passed') return { ...base, status: 'passed', attempts, durationMs, detail: last.detail };
  return { ...base, status: last.outcome, attempts, durationMs, detail: `${last.detail} (after ${attempts} attempt${attempts === 1 ? '' : 's'})` };
}

/** Runs checks in order on one target and stops at the first that does not pass; the rest are `not-run`. */
export async function runChecks(checks: Check[], target: CheckTarget, ports: CheckPorts = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const bad = results.find((r) => r.status !== 'passed');
    if (bad !== undefined) {
      const why = bad.status === 'not-run' ? 'an earlier check did not run' : `an earlier check was ${bad.status}`;
      results.push({ check: checkLabel(check), kind: check.kind, target: target.name, status: 'not-run', attempts: 0, durationMs: 0, detail: why });
      continue;
    }
    results.push(await runCheck(check, target, ports));
  }
  return results;
}

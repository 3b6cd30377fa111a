/**
 * Check kinds by name, and the loop that runs one check with its retries.
 * An unknown kind is answered with the valid ones.
 */
import type { Check } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import { commandAttempt } from './command.js';
import { httpAttempt } from './http.js';
import { tcpAttempt } from './tcp.js';
import { checkLabel, type CheckPorts, type CheckResult, type CheckRunner, type CheckTarget } from './types.js';

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

/** Runs `check` on `target` up to 1 + retries times; the last attempt's detail explains a failure. */
export async function runCheck(check: Check, target: CheckTarget, ports: CheckPorts = {}, registry = checkRunners): Promise<CheckResult> {
  const attempt = checkRunnerFor(check.kind, registry);
  const base = { check: checkLabel(check), kind: check.kind, target: target.name };
  let last = { ok: false, detail: 'not run' };
  let attempts = 0;
  for (let i = 0; i <= check.retries; i++) {
    if (ports.signal?.aborted === true) break;
    if (i > 0) await (ports.sleep ?? defaultSleep)(check.interval);
    attempts++;
    last = await attempt(check, target, ports);
    if (last.ok) return { ...base, status: 'ok', attempts, detail: last.detail };
  }
  if (attempts === 0) return { ...base, status: 'not-run', attempts, detail: 'interrupted before the first attempt' };
  return { ...base, status: 'failed', attempts, detail: `${last.detail} (after ${attempts} attempt${attempts === 1 ? '' : 's'})` };
}

/** Runs checks in order on one target and stops at the first failure; the rest are `not-run`. */
export async function runChecks(checks: Check[], target: CheckTarget, ports: CheckPorts = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (results.some((r) => r.status !== 'ok')) {
      results.push({ check: checkLabel(check), kind: check.kind, target: target.name, status: 'not-run', attempts: 0, detail: 'an earlier check failed' });
      continue;
    }
    results.push(await runCheck(check, target, ports));
  }
  return results;
}

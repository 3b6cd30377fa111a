/**
 * The `command` check: a shell command run on the target in `current`; exit 0
 * passes. A timeout or a signal is a failure, whatever the command printed.
 */
import type { Check } from '../../config/index.js';
import type { Attempt, CheckPorts, CheckTarget } from './types.js';

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

export async function commandAttempt(check: Check, target: CheckTarget, _ports: CheckPorts): Promise<Attempt> {
  if (check.kind !== 'command') throw new Error(`command check given a ${check.kind} check`);
  try {
    const r = await target.session.run(check.run, { cwd: 'current', timeoutMs: check.timeout });
    const said = lastLine(r.stderrTail) || lastLine(r.stdoutTail);
    const output = said ? `: ${said}` : ' (no output)';
    if (r.timedOut) return { ok: false, detail: `no result within ${check.timeout} ms${output}` };
    if (r.exitCode === 0) return { ok: true, detail: `exit 0${said ? `: ${said}` : ''}` };
    const how = r.signal !== null ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
    return { ok: false, detail: `${how}${output}` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

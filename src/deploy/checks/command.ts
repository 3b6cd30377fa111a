/**
 * The `command` check: a shell command run on the target in `current`; exit
 * 0 passes (with `expectOutput` set, its stdout must also contain that text).
 * A non-zero exit or output without the text is `failed`; a timeout, a death
 * by signal, a command that could not be run or an empty output where a text
 * is expected is `inconclusive`, whatever the command printed.
 */
import type { Check } from '../../config/index.js';
import type { Attempt, CheckPorts, CheckTarget } from './types.js';

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

export async function commandAttempt(check: Check, target: CheckTarget, _ports: CheckPorts): Promise<Attempt> {
  if (check.kind !== 'command') throw new Error(`command check given a ${check.kind} check`);
  let r;
  try {
    r = await target.session.run(check.run, { cwd: 'current', timeoutMs: check.timeout, check: true });
  } catch (err) {
    return { outcome: 'inconclusive', detail: `could not run: ${(err as Error).message}` };
  }
  const said = lastLine(r.stderrTail) || lastLine(r.stdoutTail);
  const output = said ? `: ${said}` : ' (no output)';
  if (r.timedOut) return { outcome: 'inconclusive', detail: `no result within ${check.timeout} ms${output}` };
  if (r.signal !== null) return { outcome: 'inconclusive', detail: `killed by ${r.signal}${output}` };
  if (r.exitCode === null) return { outcome: 'inconclusive', detail: `ended without an exit status${output}` };
  if (r.exitCode !== 0) return { outcome: 'failed', detail: `exit ${r.exitCode}${output}` };
  const wanted = check.expectOutput;
  if (wanted !== undefined) {
    if (r.stdoutTail.trim() === '') return { outcome: 'inconclusive', detail: `exit 0 with no output; expected ${JSON.stringify(wanted)} in it` };
    if (!r.stdoutTail.includes(wanted)) return { outcome: 'failed', detail: `exit 0 without ${JSON.stringify(wanted)} in its output: ${lastLine(r.stdoutTail)}` };
  }
  return { outcome: 'passed', detail: `exit 0${said ? `: ${said}` : ''}` };
}

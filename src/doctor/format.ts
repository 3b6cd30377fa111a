/**
 * Prints a doctor report for people: the mode line, then the checks grouped
 * by runner and environment, one status line each, with evidence, cause, fix
 * and runbook under the ones that did not pass. Or the report as JSON.
 */
import type { DoctorReport } from './run.js';
import type { CheckResult } from './types.js';

const LABEL: Record<CheckResult['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function formatReport(report: DoctorReport): string {
  const lines = [`pitcrew doctor: ${report.modeLine}`];
  const groups: Array<['runner' | 'environment', string | undefined]> = [
    ['runner', report.runner],
    ['environment', report.environment],
  ];
  for (const [scope, name] of groups) {
    const checks = report.checks.filter((c) => c.scope === scope);
    if (checks.length === 0) continue;
    lines.push('', `${scope} ${name ?? ''}`.trimEnd());
    const width = Math.max(...checks.map((c) => c.id.length));
    for (const c of checks) {
      lines.push(`  ${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.title}`);
      const indent = ' '.repeat(8);
      const detail = c.status === 'pass' || c.status === 'skip' ? c.evidence.slice(0, 1) : c.evidence;
      for (const e of detail) lines.push(`${indent}${c.status === 'skip' ? 'skipped: ' : ''}${e}`);
      if (c.cause) lines.push(`${indent}cause:   ${c.cause}`);
      if (c.fix && c.status !== 'pass') lines.push(`${indent}fix:     ${c.fix}`);
      if (c.runbook && c.status !== 'pass') lines.push(`${indent}runbook: ${c.runbook}`);
    }
  }
  if (report.checks.length === 0) lines.push('', 'no checks ran: name a runner (--runner NAME) or an environment (--env ENV)');
  const s = report.summary;
  lines.push('', `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip`);
  return lines.join('\n') + '\n';
}

export function reportJson(report: DoctorReport): string {
  return JSON.stringify(report) + '\n';
}

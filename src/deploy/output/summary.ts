/**
 * The Markdown step summary of a deploy, rollback or recovery: environment,
 * release, result, per target its captured and final release and what each
 * step did, every check with its outcome (passed, failed, inconclusive,
 * not-run), attempts and duration, the phases with their durations.
 * Every cell is masked before it is escaped (an escaped secret would no
 * longer match its registered forms). Builds text only; never writes.
 */
import type { SecretMasker } from '../../mask/masker.js';
import type { CheckResult } from '../checks/index.js';
import type { DeployReport } from '../report.js';

export interface PhaseTiming {
  title: string;
  ms: number;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A check's outcome, in bold when it did not pass (an inconclusive check is never a pass). */
function outcome(c: CheckResult): string {
  return c.status === 'passed' ? 'passed' : `**${c.status}**`;
}

export function deploySummary(report: DeployReport, timing: { totalMs: number; phases: PhaseTiming[] }, masker: SecretMasker): string {
  const cell = (s: string | null | undefined): string => (s === null || s === undefined || s === '' ? '—' : masker.mask(s).replace(/\r?\n/g, ' ').replaceAll('|', '\\|'));
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const lines: string[] = [
    `## pitcrew ${report.kind} ${cell(report.environment)}: ${report.result}`,
    '',
    row(['', '']),
    row(['---', '---']),
    row(['environment', cell(report.environment)]),
  ];
  if (report.version !== '') lines.push(row(['version', cell(report.version)]));
  if (report.releaseId !== '') lines.push(row(['release', cell(report.releaseId)]));
  lines.push(row(['result', `**${report.result}** (exit ${report.exitCode})`]));
  if (report.error !== undefined) lines.push(row(['error', cell(report.error)]));
  lines.push(row(['duration', formatDuration(timing.totalMs)]));
  if (report.targets.length > 0) {
    lines.push('', '### Targets', '', row(['target', 'captured', 'final', 'staged', 'switched', 'restart', 'checks', 'rolled back']), row(Array(8).fill('---')));
    for (const t of report.targets) {
      const checks = t.checks.length === 0 ? '—' : t.checks.map((c) => `${cell(c.check)}: ${outcome(c)}`).join('<br>');
      lines.push(row([cell(t.target), cell(t.captured), cell(t.final), t.staged, t.switched, t.restart, checks, t.rolledBack]));
    }
  }
  const checks: Array<[string, CheckResult]> = [
    ...report.targets.flatMap((t) => t.checks.map((c): [string, CheckResult] => ['health', c])),
    ...report.smokeTests.map((c): [string, CheckResult] => ['smoke', c]),
    ...report.targets.flatMap((t) => t.rollbackChecks.map((c): [string, CheckResult] => ['after rollback', c])),
  ];
  if (checks.length > 0) {
    lines.push('', '### Checks', '', row(['target', 'when', 'check', 'outcome', 'attempts', 'duration', 'detail']), row(Array(7).fill('---')));
    for (const [when, c] of checks) lines.push(row([cell(c.target), when, cell(c.check), outcome(c), String(c.attempts), formatDuration(c.durationMs), cell(c.detail)]));
  }
  if (report.recovered.length > 0) {
    lines.push('', '### Unfinished deployments finished first', '');
    for (const r of report.recovered) lines.push(`- ${cell(r.deploymentId)}: ${r.result} (${r.targets.map((t) => `${cell(t.target)} on ${cell(t.final)}`).join(', ') || 'no target touched'})`);
  }
  if (timing.phases.length > 0) {
    lines.push('', '### Timings', '', row(['phase', 'duration']), row(['---', '---']));
    for (const p of timing.phases) lines.push(row([cell(p.title), formatDuration(p.ms)]));
    lines.push(row(['**total**', formatDuration(timing.totalMs)]));
  }
  return lines.join('\n') + '\n\n';
}

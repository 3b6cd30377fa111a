/**
 * The report's three forms: a plain table for terminals, markdown fit for a
 * GitHub job summary, and JSON (schema `pitcrew.report/v1`, durations in ms,
 * rates as ratios). Pure: never prints, never reads the clock.
 */
import type { Report } from './compute.js';
import type { Objective } from './objectives.js';
import { NO_DATA, formatDuration, formatRatio, formatShare, formatTime } from './units.js';

export const REPORT_FORMATS = ['table', 'json', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_SCHEMA = 'pitcrew.report/v1';

function actual(o: Objective, r: Report): string {
  if (o.id === 'deploy-success-rate') return formatShare(r.deployments.succeeded, r.deployments.succeeded + r.deployments.failed);
  return formatDuration(o.actual);
}

const statusText = { met: 'met', 'not-met': 'NOT met', 'no-data': 'no data (not met)' } as const;

/** [label, value] pairs shared by the table and markdown forms. */
function figures(r: Report): [string, string][] {
  const d = r.deployments;
  const decided = d.succeeded + d.failed;
  return [
    ['deploys', `${d.total} (succeeded ${d.succeeded}, failed ${d.failed}, in progress ${d.inProgress}, cancelled ${d.cancelled})`],
    ['success rate', decided === 0 ? NO_DATA : `${formatShare(d.succeeded, decided)} (${d.succeeded} of ${decided})`],
    ['duration p50 / p95 / p99', [r.durationMs.p50, r.durationMs.p95, r.durationMs.p99].map(formatDuration).join(' / ')],
    ['rollbacks', `${d.rollbacks} (rollback failures ${d.rollbackFailures})`],
    ['lock wait p95', r.lockWaitMs.count === 0 ? NO_DATA : `${formatDuration(r.lockWaitMs.p95)} (${r.lockWaitMs.count} deploys measured)`],
    ['failovers', `${r.failovers.count} (whole fleet)`],
    ['incidents', `${r.incidents.total} (open ${r.incidents.open}, resolved ${r.incidents.resolved})`],
    ['mean time to detect', formatDuration(r.incidents.mttdMs)],
    ['mean time to recover', formatDuration(r.incidents.mttrMs)],
  ];
}

function heading(r: Report): string {
  const env = r.window.environment ?? 'all environments';
  return `${env}, ${formatTime(r.window.from)} .. ${formatTime(r.window.to)}`;
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatTable(r: Report): string {
  const out = [`pitcrew report: ${heading(r)}\n\n`, pad(figures(r))];
  if (r.runners.length > 0) {
    out.push('\n', pad([['runner', 'availability', 'online / known'], ...r.runners.map((a) => [a.runner, formatRatio(a.availability), `${formatDuration(a.onlineMs)} / ${formatDuration(a.knownMs)}`])]));
  }
  out.push('\n', pad([['objective', 'target', 'actual', 'status'], ...r.objectives.map((o) => [o.name, o.target, actual(o, r), statusText[o.status]])]));
  out.push(`\nobjectives met: ${r.objectivesMet} of ${r.objectives.length}\n`);
  return out.join('');
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const mdRow = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |\n`;
const mdTable = (head: string[], rows: string[][]) => mdRow(head) + mdRow(head.map(() => '---')) + rows.map(mdRow).join('');
const mark = { met: '✅ met', 'not-met': '❌ not met', 'no-data': '⚪ no data (not met)' } as const;

export function formatMarkdown(r: Report): string {
  const out = [
    `## pitcrew report\n\n${cell(heading(r))}: **${r.objectivesMet} of ${r.objectives.length} objectives met**\n\n`,
    mdTable(['Objective', 'Target', 'Actual', 'Status'], r.objectives.map((o) => [o.name, o.target, actual(o, r), mark[o.status]])),
    '\n',
    mdTable(['Figure', 'Value'], figures(r)),
  ];
  if (r.runners.length > 0) {
    out.push('\n', mdTable(['Runner', 'Availability', 'Online', 'Known'], r.runners.map((a) => [a.runner, formatRatio(a.availability), formatDuration(a.onlineMs), formatDuration(a.knownMs)])));
  }
  return out.join('');
}

export function formatJson(r: Report): string {
  return JSON.stringify({ schema: REPORT_SCHEMA, ...r }, null, 2) + '\n';
}

export function formatReport(r: Report, format: ReportFormat): string {
  return format === 'json' ? formatJson(r) : format === 'markdown' ? formatMarkdown(r) : formatTable(r);
}

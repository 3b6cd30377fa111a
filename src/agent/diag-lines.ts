/**
 * Reads meaning out of lines of the GitHub Actions runner's `_diag/Runner_*.log`.
 * Pure: text in, facts out; it never touches the filesystem.
 *
 * Line shapes, from the actions/runner sources:
 * - Every trace line starts with `[{DateTime.UtcNow:u} {INFO|WARN|ERR |VERB} {source}] `
 *   (HostTraceListener.WriteHeader, src/Runner.Common/HostTraceListener.cs), e.g.
 *   `[2024-05-01 10:00:00Z INFO JobDispatcher] ...`.
 * - Job start: JobDispatcher.RunAsync writes `term.WriteLine($"{DateTime.UtcNow:u}: Running job:
 *   {message.JobDisplayName}")`, and Terminal.WriteLine traces every line as `WRITE LINE: {line}`
 *   (src/Runner.Common/Terminal.cs), so the log holds
 *   `[2024-05-01 10:00:00Z INFO Terminal] WRITE LINE: 2024-05-01 10:00:00Z: Running job: deploy`.
 *   The shorter `[... INFO JobDispatcher] Running job: deploy` is accepted too.
 * - Job end: `Trace.Info($"finish job request for job {message.JobId} with result: {result}")`
 *   in src/Runner.Listener/JobDispatcher.cs, e.g.
 *   `[2024-05-01 10:03:00Z INFO JobDispatcher] finish job request for job 7a5c... with result: Succeeded`.
 * - Registration gone: MessageListener writes "The runner no longer exists on the server. Please
 *   reconfigure the runner." (TaskAgentNotFoundException) and "Failed to create a session. The runner
 *   registration has been deleted from the server, please re-configure."; Runner.cs logs "The runner
 *   no longer exists on the server. Cleaning up local configuration."
 * - Too old: the broker answers 403 and the runner logs "Runner version v{version} is deprecated and
 *   cannot receive messages." (src/Runner.Common/BrokerServer.cs); MessageListener traces
 *   "Runner version has been depricated" (sic) on InvalidTaskAgentVersionException.
 */

const HEADER = /^\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})Z (\w+)\s*([^\]]*)\] (.*)$/;
const RUNNING_JOB = /(?:^|: )Running job: (.+?)\s*$/;
const FINISH_JOB = /finish job request for job (\S+) with result: (\w+)/;

export interface DiagLine {
  /** Time from the line's header (ms since epoch, UTC), when it has one. */
  at?: number;
  level?: string;
  source?: string;
  message: string;
}

export function parseDiagLine(line: string): DiagLine {
  const m = HEADER.exec(line.replace(/\r$/, ''));
  if (!m) return { message: line.replace(/\r$/, '') };
  return { at: Date.parse(`${m[1]}T${m[2]}Z`), level: m[3], source: m[4], message: m[5] };
}

export type DiagJobEvent =
  | { kind: 'job-started'; jobName: string; at?: number; line: string }
  | { kind: 'job-completed'; jobId: string; result: string; jobName?: string; at?: number; line: string };

/** The job event a line announces, if any. */
export function parseJobEvent(line: string): DiagJobEvent | undefined {
  const { at, message } = parseDiagLine(line);
  const finish = FINISH_JOB.exec(message);
  if (finish) return { kind: 'job-completed', jobId: finish[1], result: finish[2], at, line };
  const running = RUNNING_JOB.exec(message);
  if (running) return { kind: 'job-started', jobName: running[1], at, line };
  return undefined;
}

export interface UnfinishedJob {
  jobName: string;
  at?: number;
  /** Index of the `Running job:` line in the input. */
  index: number;
}

/** The last job that started and has no completion after it: the runner died or is still running it. */
export function findUnfinishedJob(lines: readonly string[]): UnfinishedJob | undefined {
  let open: UnfinishedJob | undefined;
  lines.forEach((line, index) => {
    const ev = parseJobEvent(line);
    if (ev?.kind === 'job-started') open = { jobName: ev.jobName, at: ev.at, index };
    else if (ev?.kind === 'job-completed') open = undefined;
  });
  return open;
}

export type DiagFindingKind = 'runner-removed' | 'runner-version-deprecated';

export interface DiagFinding {
  kind: DiagFindingKind;
  /** What the runner said, as it said it. */
  message: string;
  /** What to do about it. */
  hint: string;
  version?: string;
  at?: number;
  index: number;
}

const FINDINGS: Array<{ kind: DiagFindingKind; pattern: RegExp; hint: (m: RegExpExecArray) => string }> = [
  {
    kind: 'runner-removed',
    pattern: /The runner no longer exists on the server|runner registration has been deleted from the server/,
    hint: () => 'the runner was removed from GitHub; register it again with config.sh and a new registration token',
  },
  {
    kind: 'runner-version-deprecated',
    pattern: /Runner version v?(\d[\w.-]*) is deprecated and cannot receive messages|Runner version has been depr[ei]cated/,
    hint: (m) =>
      `${m[1] ? `runner ${m[1]}` : 'this runner version'} is too old for GitHub; install the current actions/runner release (or re-enable its self-update)`,
  },
];

/** Messages in a diag log that `doctor` should report, in order of appearance. */
export function scanDiagMessages(lines: readonly string[]): DiagFinding[] {
  const out: DiagFinding[] = [];
  lines.forEach((line, index) => {
    const { at, message } = parseDiagLine(line);
    for (const f of FINDINGS) {
      const m = f.pattern.exec(message);
      if (!m) continue;
      out.push({ kind: f.kind, message: message.trim(), hint: f.hint(m), version: m[1], at, index });
      break;
    }
  });
  return out;
}

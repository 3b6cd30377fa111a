/**
 * What job the runner is running, from the runner's job hooks or, for runners
 * without hooks, from its diag log. Hooks are authoritative: once one has
 * reported, diag-log events are ignored, so a job is never counted twice.
 * Produces the `job` frames of docs/protocol.md; it never sends them itself.
 */
import type { DiagLogEvent } from './diag-log.js';
import type { JobInfo } from './protocol.js';

export type JobSource = 'hook' | 'diag';

export interface JobEvent {
  type: 'job';
  event: 'started' | 'completed';
  at: number;
  job: JobInfo;
  result?: string;
}

/** What a hook or the diag log knows about a job; `name` may be missing on a completion. */
export type JobReport = Partial<Omit<JobInfo, 'startedAt'>>;

export interface JobTrackerPorts {
  now: () => number;
  /** Called with each event, after the tracker's own state has changed. */
  onEvent: (event: JobEvent, source: JobSource) => void;
}

export class JobTracker {
  private job: JobInfo | null = null;
  private hooksSeen = false;

  constructor(private readonly ports: JobTrackerPorts) {}

  get current(): JobInfo | null {
    return this.job;
  }

  /** True once a hook has reported: diag-log events are ignored from then on. */
  get usingHooks(): boolean {
    return this.hooksSeen;
  }

  started(report: JobReport, source: JobSource, at = this.ports.now()): JobEvent | undefined {
    if (!this.accepts(source)) return undefined;
    const job: JobInfo = { ...definedOnly(report), name: report.name ?? 'unknown', startedAt: at };
    this.job = job;
    return this.emit({ type: 'job', event: 'started', at, job }, source);
  }

  completed(report: JobReport, result: string, source: JobSource, at = this.ports.now()): JobEvent | undefined {
    if (!this.accepts(source)) return undefined;
    const job: JobInfo = this.job
      ? { ...this.job, ...definedOnly(report), name: this.job.name }
      : { ...definedOnly(report), name: report.name ?? 'unknown', startedAt: at };
    this.job = null;
    return this.emit({ type: 'job', event: 'completed', at, job, result }, source);
  }

  /** Feeds one diag-log event in. */
  fromDiag(ev: DiagLogEvent): JobEvent | undefined {
    const at = this.ports.now();
    if (ev.kind === 'job-started') return this.started({ name: ev.jobName }, 'diag', at);
    return this.completed({ name: ev.jobName, jobId: ev.jobId }, diagResult(ev.result), 'diag', at);
  }

  private accepts(source: JobSource): boolean {
    if (source === 'hook') this.hooksSeen = true;
    return source === 'hook' || !this.hooksSeen;
  }

  private emit(event: JobEvent, source: JobSource): JobEvent {
    this.ports.onEvent(event, source);
    return event;
  }
}

/** The runner's TaskResult spelling (`Succeeded`, `Canceled`) in the protocol's words. */
export function diagResult(result: string): string {
  const r = result.toLowerCase();
  return r === 'canceled' ? 'cancelled' : r;
}

function definedOnly(report: JobReport): JobReport {
  const out: JobReport = {};
  for (const key of ['name', 'runId', 'runAttempt', 'jobId', 'workflow', 'repository'] as const) {
    const v = report[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}

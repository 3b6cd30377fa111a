/**
 * Writes the deployment's journal through the coordinator with the lease's
 * fencing token: every step is recorded as `started` before it runs and as
 * `succeeded` or `failed` after, so a deployer killed at any instant leaves
 * enough for the next one to finish or undo its work. A journal write that
 * fails stops the step before it touches anything.
 */
import type { DeployCoordinator, JournalEvent, JournalEventInput } from '../coord/index.js';

export type Phase = 'started' | 'succeeded' | 'failed';

/** Steps, in the order a deploy takes them. `rollback.*` and `recover` are written when undoing. */
export const STEPS = [
  'plan', 'capture', 'stage', 'install', 'migrate', 'switch', 'restart', 'health', 'smoke', 'commit', 'mark', 'prune', 'finish',
  'rollback', 'rollback.switch', 'rollback.restart', 'rollback.health', 'recover',
] as const;
export type StepName = (typeof STEPS)[number];

/** Most events one journal write carries; more wait for the next. */
const MAX_BATCH = 500;

interface Pending {
  event: JournalEventInput;
  resolve(event: JournalEvent): void;
  reject(err: unknown): void;
}

export class Journal {
  /** Events waiting for the next write, in the order they were written. */
  #pending: Pending[] = [];
  #writing = false;

  constructor(
    private readonly coord: DeployCoordinator,
    readonly deploymentId: string,
    readonly fencingToken: number,
    private readonly now: () => number = () => Date.now(),
    /** Step output and errors can carry a secret: details are masked before they are stored. */
    private readonly mask: (text: string) => string = (text) => text,
  ) {}

  /**
   * Resolves once the event is stored. Events written in the same turn of the
   * event loop, or while an earlier write is in flight (the other targets'
   * steps, as a deploy works on all at once), go together in the next one:
   * one transaction for many events, in the order they were written, and
   * none resolves before it is stored.
   */
  write(step: StepName, target: string | null, phase: Phase, detail: string | null = null): Promise<JournalEvent> {
    const event: JournalEventInput = {
      deploymentId: this.deploymentId, step, target, phase, detail: detail === null ? null : this.mask(detail), fencingToken: this.fencingToken, at: this.now(),
    };
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, resolve, reject });
      // Once this turn of the event loop is over: what it wrote (a batch's targets starting a step, or the
      // answers of several targets read in one poll) shares the first commit.
      if (this.#pending.length === 1 && !this.#writing) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        try {
          const stored = await this.coord.appendJournal(batch.map((p) => p.event));
          batch.forEach((p, i) => p.resolve(stored[i]));
        } catch (err) {
          // All or none: every event of the failed write fails with its error.
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Journals `started`, runs `fn`, then journals `succeeded` with `done(result)`
   * as detail (`failed` when `passed(result)` is false: checks that did not
   * pass), or `failed` with the error's message (and rethrows).
   */
  async step<T>(step: StepName, target: string | null, detail: string | null, fn: () => Promise<T>, done?: (r: T) => string | null,
    passed?: (r: T) => boolean): Promise<T> {
    await this.write(step, target, 'started', detail);
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      await this.write(step, target, 'failed', (err as Error).message).catch(() => undefined);
      throw err;
    }
    await this.write(step, target, passed === undefined || passed(result) ? 'succeeded' : 'failed', done ? done(result) : null);
    return result;
  }
}

/** What an interrupted deployment's journal says, for recovery. */
export interface JournalReading {
  releaseId?: string;
  targets: string[];
  /** Release each target had before the deploy (null: none). Targets never captured are absent. */
  captured: Map<string, string | null>;
  /** Targets whose switch (or rollback switch) started: they may have changed. */
  switchStarted: Set<string>;
  staged: Set<string>;
  /** Targets the deploy committed to (commit succeeded), or undefined when it never committed. */
  committed?: string[];
  finished: boolean;
}

function json(detail: string | null): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(detail ?? '');
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function readJournal(events: JournalEvent[]): JournalReading {
  const r: JournalReading = { targets: [], captured: new Map(), switchStarted: new Set(), staged: new Set(), finished: false };
  for (const e of events) {
    const d = json(e.detail);
    if (e.step === 'plan' && e.phase === 'started') {
      if (typeof d.releaseId === 'string') r.releaseId = d.releaseId;
      if (Array.isArray(d.targets)) r.targets = d.targets.filter((t): t is string => typeof t === 'string');
    } else if (e.step === 'capture' && e.phase === 'succeeded' && e.target !== null) {
      r.captured.set(e.target, typeof d.current === 'string' ? d.current : null);
    } else if (e.step === 'stage' && e.target !== null) {
      r.staged.add(e.target);
    } else if ((e.step === 'switch' || e.step === 'rollback.switch') && e.target !== null) {
      r.switchStarted.add(e.target);
    } else if (e.step === 'commit' && e.phase === 'succeeded') {
      r.committed = Array.isArray(d.targets) ? d.targets.filter((t): t is string => typeof t === 'string') : [];
    } else if (e.step === 'finish' && e.phase === 'succeeded') {
      r.finished = true;
    }
  }
  return r;
}

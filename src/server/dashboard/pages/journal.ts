/**
 * Turns a deployment's journal (events in seq order) into steps: a step's
 * `started` event is paired with the next event of the same step and target
 * (`done`, `failed`, `skipped`...), giving its outcome and how long it took.
 * Pure; the page renders what this returns.
 */
import type { JournalEvent } from '../../../store/index.js';

export interface StepRow {
  step: string;
  target: string | null;
  /** The last phase seen: `started` while still running. */
  phase: string;
  startedAt: number | null;
  endedAt: number | null;
  detail: string | null;
  fencingToken: number;
  seq: number;
}

export function steps(events: readonly JournalEvent[]): StepRow[] {
  const rows: StepRow[] = [];
  const open = new Map<string, StepRow>();
  for (const e of events) {
    const key = `${e.target ?? ''}\u0000${e.step}`;
    const pending = open.get(key);
    if (e.phase === 'started') {
      const row: StepRow = { step: e.step, target: e.target, phase: 'started', startedAt: e.at, endedAt: null, detail: e.detail, fencingToken: e.fencingToken, seq: e.seq };
      rows.push(row);
      open.set(key, row);
    } else if (pending) {
      pending.phase = e.phase;
      pending.endedAt = e.at;
      pending.detail = e.detail ?? pending.detail;
      open.delete(key);
    } else {
      rows.push({ step: e.step, target: e.target, phase: e.phase, startedAt: null, endedAt: e.at, detail: e.detail, fencingToken: e.fencingToken, seq: e.seq });
    }
  }
  return rows;
}

/** Rows grouped by target in order of first appearance; deployment-wide steps (no target) under `null`. */
export function byTarget(rows: readonly StepRow[]): Map<string | null, StepRow[]> {
  const out = new Map<string | null, StepRow[]>();
  for (const r of rows) {
    const list = out.get(r.target) ?? [];
    list.push(r);
    out.set(r.target, list);
  }
  return out;
}

/** Health checks and smoke tests, as the deploy engine journals them (`health`, `smoke`, `rollback.health`). */
export const isCheck = (r: StepRow): boolean => /(^|\.)(health|smoke)$|check/i.test(r.step);
export const isRollback = (r: StepRow): boolean => /^rollback/i.test(r.step);

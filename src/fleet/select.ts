/**
 * Picks the runner that should deploy to an environment, and says why every
 * other runner was or was not picked. Pure and deterministic: the same input
 * gives the same answer and the same explanation, in the same order.
 *
 * Order: only runners authorized for the environment and online qualify;
 * among them the highest `priority` number wins, then a runner that is not
 * busy, then the name in code-point order.
 */
import type { RunnerState } from './health.js';

export interface RunnerCandidate {
  name: string;
  /** Environments this runner may deploy to. */
  environments: readonly string[];
  /** Higher goes first (primary 100, secondary 50 ...). */
  priority: number;
  /** False when the runner's authorization was revoked, whatever its environments. */
  authorized: boolean;
  state: RunnerState;
  reasons: readonly string[];
  labels: readonly string[];
  /** Running a job right now. */
  busy?: boolean;
}

export interface SelectOptions {
  /** Labels the runner must carry (the workflow's `runs-on`). */
  requiredLabels?: readonly string[];
  /** Runners not to pick, with why (e.g. the one whose deploy just died). */
  exclude?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

export type Verdict = 'chosen' | 'standby' | 'passed-over';

export interface Consideration {
  name: string;
  verdict: Verdict;
  why: string;
}

export interface Selection<R extends RunnerCandidate = RunnerCandidate> {
  runner?: R;
  /** Every runner, in selection order, with its verdict. */
  considered: Consideration[];
  /** One sentence: who was chosen, or why nobody was. */
  summary: string;
}

export function selectRunner<R extends RunnerCandidate>(env: string, runners: readonly R[], opts: SelectOptions = {}): Selection<R> {
  const ordered = [...runners].sort(compareCandidates);
  const exclude = opts.exclude instanceof Map ? opts.exclude : new Map(Object.entries(opts.exclude ?? {}));
  let chosen: R | undefined;
  const considered: Consideration[] = ordered.map((r) => {
    const problem = disqualification(r, env, opts.requiredLabels ?? [], exclude as ReadonlyMap<string, string>);
    if (problem) return { name: r.name, verdict: 'passed-over', why: problem };
    if (!chosen) {
      chosen = r;
      return { name: r.name, verdict: 'chosen', why: `online, priority ${r.priority}${r.busy ? ', busy' : ''}` };
    }
    return { name: r.name, verdict: 'standby', why: `online, after ${chosen.name} (${orderNote(chosen, r)})` };
  });
  return { runner: chosen, considered, summary: summarize(env, chosen, considered) };
}

/** Selection order: priority high to low, not busy before busy, then name. */
export function compareCandidates(a: RunnerCandidate, b: RunnerCandidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const busy = Number(Boolean(a.busy)) - Number(Boolean(b.busy));
  if (busy !== 0) return busy;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function disqualification(r: RunnerCandidate, env: string, labels: readonly string[], exclude: ReadonlyMap<string, string>): string | undefined {
  const excluded = exclude.get(r.name);
  if (excluded !== undefined) return `excluded: ${excluded}`;
  if (!r.environments.includes(env)) {
    const has = r.environments.length ? r.environments.join(', ') : 'none';
    return `not authorized for ${env} (its environments: ${has})`;
  }
  if (!r.authorized) return `authorization revoked; it may not deploy to ${env}`;
  const missing = labels.filter((l) => !r.labels.includes(l));
  if (missing.length) return `missing label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  if (r.state !== 'online') return `${r.state}: ${r.reasons.length ? r.reasons.join('; ') : 'no reason recorded'}`;
  return undefined;
}

function orderNote(first: RunnerCandidate, r: RunnerCandidate): string {
  if (first.priority !== r.priority) return `priority ${r.priority} < ${first.priority}`;
  if (Boolean(first.busy) !== Boolean(r.busy)) return 'busy';
  return 'same priority, name order';
}

function summarize(env: string, chosen: RunnerCandidate | undefined, considered: readonly Consideration[]): string {
  if (chosen) return `${chosen.name} will deploy to ${env}`;
  if (considered.length === 0) return `no runner can deploy to ${env}: no runners are registered`;
  return `no runner can deploy to ${env}: ${considered.map((c) => `${c.name} ${c.why}`).join('; ')}`;
}

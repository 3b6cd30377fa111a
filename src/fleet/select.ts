/**
 * Picks the runner that should deploy to an environment, and says why every
 * other runner was or was not picked. Pure and deterministic: the same input
 * gives the same answer and the same explanation, in the same order.
 *
 * Order: only runners authorized for the environment qualify; online ones
 * first, and among them the lowest `priority` number wins (1 = primary), then
 * a runner that is not busy, then the name in code-point order. A degraded
 * runner is chosen only when no online one is left, and then with a warning;
 * an offline one never.
 */
import type { RunnerState } from './health.js';

export interface RunnerCandidate {
  name: string;
  /** Environments this runner may deploy to. */
  environments: readonly string[];
  /** Lower goes first (primary 1, secondary 2 ...). */
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
  /** Set when the chosen runner is degraded (nothing healthier was left). */
  warning?: string;
}

export function selectRunner<R extends RunnerCandidate>(env: string, runners: readonly R[], opts: SelectOptions = {}): Selection<R> {
  const ordered = [...runners].sort(compareCandidates);
  const exclude = opts.exclude instanceof Map ? opts.exclude : new Map(Object.entries(opts.exclude ?? {}));
  const problems = new Map(ordered.map((r) => [r.name, disqualification(r, env, opts.requiredLabels ?? [], exclude as ReadonlyMap<string, string>)]));
  const eligible = ordered.filter((r) => problems.get(r.name) === undefined);
  // Online first; a degraded runner only when no online one is left.
  const chosen = eligible.find((r) => r.state === 'online') ?? eligible.find((r) => r.state === 'degraded');
  const considered: Consideration[] = ordered.map((r) => {
    const problem = problems.get(r.name);
    if (problem) return { name: r.name, verdict: 'passed-over', why: problem };
    if (r === chosen) {
      const why = r.state === 'online' ? `online, priority ${r.priority}${r.busy ? ', busy' : ''}` : `degraded, chosen as nothing healthier is left: ${reasonsOf(r)}`;
      return { name: r.name, verdict: 'chosen', why };
    }
    if (r.state !== 'online') return { name: r.name, verdict: 'passed-over', why: `${r.state}: ${reasonsOf(r)}` };
    return { name: r.name, verdict: 'standby', why: `online, after ${chosen!.name} (${orderNote(chosen!, r)})` };
  });
  const warning = chosen?.state === 'degraded'
    ? `no online runner can deploy to ${env}; ${chosen.name} is degraded (${reasonsOf(chosen)}) and was chosen as the last resort`
    : undefined;
  return { runner: chosen, considered, summary: summarize(env, chosen, considered), ...(warning ? { warning } : {}) };
}

function reasonsOf(r: RunnerCandidate): string {
  return r.reasons.length ? r.reasons.join('; ') : 'no reason recorded';
}

/** Selection order: priority number low to high, not busy before busy, then name. */
export function compareCandidates(a: RunnerCandidate, b: RunnerCandidate): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
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
  if (r.state === 'offline') return `offline: ${reasonsOf(r)}`;
  return undefined;
}

function orderNote(first: RunnerCandidate, r: RunnerCandidate): string {
  if (first.priority !== r.priority) return `priority ${r.priority} after ${first.priority}`;
  if (Boolean(first.busy) !== Boolean(r.busy)) return 'busy';
  return 'same priority, name order';
}

function summarize(env: string, chosen: RunnerCandidate | undefined, considered: readonly Consideration[]): string {
  if (chosen) return `${chosen.name} will deploy to ${env}`;
  if (considered.length === 0) return `no runner can deploy to ${env}: no runners are registered`;
  return `no runner can deploy to ${env}: ${considered.map((c) => `${c.name} ${c.why}`).join('; ')}`;
}

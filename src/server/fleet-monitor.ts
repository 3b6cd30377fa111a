/**
 * Keeps every configured runner's health between heartbeats: evaluates each
 * heartbeat with src/fleet/health.ts (hysteresis included), catches silent
 * runners with a timer, marks a runner offline the moment its agent's
 * connection closes, and records state changes, reasons and heartbeats in the
 * store. It also knows each runner's current job (from its agent and from
 * GitHub's webhooks) and its state history, which failover decisions read.
 * It opens and resolves the fleet's incidents (src/incidents/fleet-incidents.ts)
 * as states change, and once the restart grace is over, checks each round
 * for environments left without an online runner. What GitHub's runners list
 * says (src/server/github-poll.ts) counts as one more probe: a runner GitHub
 * lists offline or not at all is degraded, however healthy its agent says it is.
 * A runner that goes offline while running a job is reported to the `onLost`
 * listener (the failover of src/server/run-failover.ts).
 *
 * Must never judge a runner itself (health.ts does), never block a heartbeat
 * on a store write (writes are queued in order; heartbeats are written in one
 * batch per silence check), and never advance hysteresis
 * streaks from the timer: only heartbeats are evaluations of the probes.
 */
import type { ProbeResult } from '../agent/probes/types.js';
import { EnvironmentHealthWatch, environmentWithoutRunner, runnerCameOnline, runnerWentOffline } from '../incidents/index.js';
import { evaluateRunner, type RunnerHealthState, type RunnerState } from '../fleet/health.js';
import type { RunnerStateChange as HealthChange } from '../fleet/failover.js';
import type { RunnerCandidate } from '../fleet/select.js';
import type { Store } from '../store/index.js';
import type { ServerMetrics } from './metrics.js';
import type { Roster, RosterEntry } from './roster.js';

/** The job a runner is running, as its agent or GitHub reported it. */
export interface RunnerJob {
  name: string;
  startedAt?: number | string | null;
  runId?: number;
  runAttempt?: number;
  jobId?: number;
  workflow?: string | null;
  repository?: string;
}

/** One end of an agent connection, as the monitor needs it. */
export interface AgentSession {
  send(message: object): void;
  close(code: number, reason: string): void;
}

export interface RunnerView {
  name: string;
  state: RunnerState;
  reasons: string[];
  since: number | null;
  lastHeartbeatAt: number | null;
  lastHeartbeatAgeMs: number | null;
  connected: boolean;
  probes: ProbeResult[];
  environments: string[];
  labels: string[];
  priority: number;
  authorized: boolean;
  currentJob: RunnerJob | null;
}

export type Log = (message: string, meta?: Record<string, unknown>) => void;

/** Called when a runner goes offline while it runs `job`; `reasons` say why it is offline. */
export type LostJobListener = (runner: string, job: RunnerJob, reasons: string[]) => void;

/** What GitHub's runners list says of a runner: its status, or that it does not list it. */
export type GithubRunnerStatus = 'online' | 'offline' | 'missing';
/** Runs `fn` every `everyMs`; returns a function that stops it. */
export type Scheduler = (fn: () => void, everyMs: number) => () => void;

export interface FleetMonitorOptions {
  roster: Roster;
  store: Store;
  now: () => number;
  log: Log;
  metrics: ServerMetrics;
  /** How often silent runners are looked for. Default 250 ms. */
  tickMs?: number;
  schedule?: Scheduler;
  /** Heartbeats are written to the store at most this often per runner (batched, at the next silence check). Default 5 s. */
  heartbeatWriteEveryMs?: number;
}

interface Entry {
  config: RosterEntry;
  health: RunnerHealthState;
  lastHeartbeatAt?: number;
  /** After a restart, silence counts from the start, giving agents time to reconnect. */
  graceFrom?: number;
  lastHeartbeatWrite?: number;
  probes: ProbeResult[];
  session?: AgentSession;
  agentJob: RunnerJob | null;
  githubJob: RunnerJob | null;
  /** The last poll of GitHub's runners list, if one was made. */
  github?: { status: GithubRunnerStatus; at: number };
  history: HealthChange[];
}

const DAY_MS = 24 * 3600_000;
const HISTORY_KEEP = 500;

function isHealthState(s: string): s is RunnerState {
  return s === 'online' || s === 'degraded' || s === 'offline';
}

/** When the runner last stopped being online (the change after its last `online`), if the history knows. */
function leftOnlineAt(history: readonly HealthChange[]): number | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].state === 'online') return history[i + 1]?.atMs;
  }
  return undefined;
}

/** GitHub's word on a runner as a failed probe, so that it degrades the runner like any other finding. */
function githubProbe(runner: string, github: { status: GithubRunnerStatus; at: number }): ProbeResult {
  const says = github.status === 'missing' ? `GitHub does not list runner ${runner}` : `GitHub lists runner ${runner} as offline`;
  return { probe: 'github', ok: false, detail: `${says} in its runners list`, at: github.at };
}

export const defaultScheduler: Scheduler = (fn, everyMs) => {
  const timer = setInterval(fn, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};

export class FleetMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: FleetMonitorOptions;
  private writes: Promise<void> = Promise.resolve();
  /** Heartbeats to write at the next tick, one per runner: one transaction for all instead of one each. */
  private readonly pendingHeartbeats = new Map<string, { runner: string; at: number; probes: ProbeResult[] }>();
  private stopTimer?: () => void;
  /** Environment -> its authorized runners. */
  private readonly environments = new Map<string, string[]>();
  private envWatch?: EnvironmentHealthWatch;
  /** Environments are judged from here on: a restarted server first gives agents one heartbeat timeout to reconnect. */
  private envWatchFrom = Infinity;
  private lostListeners: LostJobListener[] = [];

  constructor(opts: FleetMonitorOptions) {
    this.opts = opts;
    for (const config of opts.roster.values()) {
      this.entries.set(config.name, {
        config,
        health: { state: 'offline', reasons: ['no heartbeat received yet'], badStreak: 0, goodStreak: 0, badKeys: [] },
        probes: [],
        agentJob: null,
        githubJob: null,
        history: [],
      });
      for (const env of config.environments) this.environments.set(env, [...(this.environments.get(env) ?? []), config.name]);
    }
  }

  /**
   * Writes the configured runners to the store (authorized), marks runners no
   * longer configured as unauthorized, restores each runner's last known
   * state and history, and starts the silence timer.
   */
  async start(): Promise<void> {
    const { store, now } = this.opts;
    const at = now();
    for (const e of this.entries.values()) {
      const c = e.config;
      const stored = await store.upsertRunner({ name: c.name, labels: c.labels, environments: c.environments, priority: c.priority, authorized: true }, at);
      const state = stored.state;
      const known = isHealthState(state);
      if (known) {
        e.health = { state, reasons: stored.stateReasons, badStreak: 0, goodStreak: 0, badKeys: [], since: stored.stateChangedAt ?? undefined };
        e.lastHeartbeatAt = stored.lastHeartbeatAt ?? undefined;
        if (stored.state !== 'offline') e.graceFrom = at;
      }
      const past = await store.runnerStateHistory(c.name, at - DAY_MS);
      const seed: HealthChange[] = known && stored.stateChangedAt !== null ? [{ atMs: stored.stateChangedAt, state }] : [];
      const recorded = past.flatMap((h) => (isHealthState(h.to) ? [{ atMs: h.at, state: h.to }] : []));
      // The last recorded change is the current state; older than a day, only the current state is known.
      e.history = recorded.length > 0 ? recorded : seed;
      this.opts.metrics.runnerState(c.name, e.health.state);
    }
    for (const r of await store.listRunners()) {
      if (!this.entries.has(r.name) && r.authorized) {
        await store.upsertRunner({ name: r.name, labels: r.labels, environments: r.environments, priority: r.priority, authorized: false }, at);
        this.opts.log('runner no longer configured; marked unauthorized', { runner: r.name });
      }
    }
    const grace = Math.max(0, ...[...this.entries.values()].map((e) => e.config.thresholds.heartbeatTimeoutMs));
    this.envWatch = new EnvironmentHealthWatch(at);
    this.envWatchFrom = at + grace;
    this.stopTimer = (this.opts.schedule ?? defaultScheduler)(() => this.tick(), this.opts.tickMs ?? 250);
  }

  /** Stops the timer and waits for queued store writes. */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.flush();
  }

  /** Resolves when every store write queued so far, pending heartbeats included, is done. */
  flush(): Promise<void> {
    this.writeHeartbeats();
    return this.writes;
  }

  has(runner: string): boolean {
    return this.entries.has(runner);
  }

  /** A new agent connection for `runner`; a previous one is closed with 4000. Sends `welcome`. */
  connect(runner: string, session: AgentSession): void {
    const e = this.entry(runner);
    const old = e.session;
    e.session = session;
    if (old) old.close(4000, 'replaced by a newer connection for this runner');
    this.opts.log('agent connected', { runner, replaced: Boolean(old) });
    session.send({
      type: 'welcome',
      serverTime: this.opts.now(),
      heartbeatIntervalMs: 1000,
      probeTargets: e.config.probeTargets,
      thresholds: e.config.thresholds,
    });
  }

  /** The agent's connection closed: offline at once, unless a newer connection replaced it. */
  disconnect(runner: string, session: AgentSession): void {
    const e = this.entries.get(runner);
    if (!e || e.session !== session) return;
    e.session = undefined;
    this.opts.log('agent disconnected', { runner });
    // The job it ran is still known while the offline change is applied (and reported as lost).
    this.apply(e, { state: 'offline', reasons: ['agent connection closed'], badStreak: 0, goodStreak: 0, badKeys: [] });
    e.agentJob = null;
  }

  /** Adds a listener for jobs whose runner went offline while running them. */
  onLost(listener: LostJobListener): void {
    this.lostListeners.push(listener);
  }

  /**
   * What GitHub's runners list says of each configured runner (`missing` when it does not list it).
   * Taken into account from the runner's next heartbeat on.
   */
  noteGithubRunners(statuses: ReadonlyMap<string, GithubRunnerStatus>): void {
    const at = this.opts.now();
    for (const [name, e] of this.entries) e.github = { status: statuses.get(name) ?? 'missing', at };
  }

  /** Evaluates one heartbeat and answers it with `ack`; ignored when `session` was replaced. */
  heartbeat(runner: string, session: AgentSession, hb: { seq: number; probes: ProbeResult[]; job?: RunnerJob | null }): void {
    const e = this.entry(runner);
    // A replaced connection's last frames say nothing about the runner any more.
    if (e.session !== session) return;
    const now = this.opts.now();
    e.lastHeartbeatAt = now;
    this.opts.metrics.heartbeat(e.config.name, now);
    e.graceFrom = undefined;
    e.probes = hb.probes;
    if (hb.job !== undefined) e.agentJob = hb.job;
    const probes = e.github && e.github.status !== 'online' ? [...hb.probes, githubProbe(e.config.name, e.github)] : hb.probes;
    const ev = evaluateRunner(e.health, { now, lastHeartbeatAt: now, probes, thresholds: e.config.thresholds });
    const changed = this.apply(e, ev.next);
    const every = this.opts.heartbeatWriteEveryMs ?? 5000;
    if (changed || e.lastHeartbeatWrite === undefined || now - e.lastHeartbeatWrite >= every) {
      e.lastHeartbeatWrite = now;
      this.pendingHeartbeats.set(runner, { runner, at: now, probes: hb.probes });
    }
    session.send({ type: 'ack', seq: hb.seq, serverTime: this.opts.now(), state: ev.state, reasons: ev.reasons });
  }

  /** A `job` frame from the agent. */
  jobEvent(runner: string, session: AgentSession, event: 'started' | 'completed', job: RunnerJob): void {
    const e = this.entry(runner);
    if (e.session === session) e.agentJob = event === 'started' ? job : null;
  }

  /** What GitHub says the runner runs (in_progress), or null when that job completed. */
  noteGithubJob(runner: string, job: RunnerJob | null): void {
    const e = this.entries.get(runner);
    if (!e) return;
    if (job === null) e.githubJob = null;
    else e.githubJob = job;
  }

  /** Looks for runners whose heartbeats stopped. Called by the timer; tests may call it directly. */
  tick(): void {
    this.writeHeartbeats();
    const now = this.opts.now();
    for (const e of this.entries.values()) {
      if (e.health.state === 'offline') continue;
      const last = Math.max(e.lastHeartbeatAt ?? -Infinity, e.graceFrom ?? -Infinity);
      if (last !== -Infinity && now - last <= e.config.thresholds.heartbeatTimeoutMs) continue;
      const ev = evaluateRunner(e.health, {
        now,
        lastHeartbeatAt: last === -Infinity ? undefined : last,
        probes: e.probes,
        thresholds: e.config.thresholds,
      });
      this.apply(e, ev.next);
    }
    if (now > this.envWatchFrom) this.environmentRound(now);
  }

  /** Opens `environment.no-healthy-runner` for each environment newly found without an online runner. */
  private environmentRound(now: number): void {
    const standing = new Map(
      [...this.environments].map(([env, names]) => [
        env,
        names.map((name) => {
          const e = this.entry(name);
          return { name, state: e.health.state, reasons: e.health.reasons, leftOnlineAt: leftOnlineAt(e.history) };
        }),
      ]),
    );
    for (const found of this.envWatch?.round(standing, now) ?? []) {
      this.write(async () => {
        const incident = await environmentWithoutRunner(this.opts.store, found, now);
        if (incident) this.opts.log('incident opened', { kind: incident.kind, id: incident.id, environment: found.environment });
      });
    }
  }

  view(runner: string): RunnerView | undefined {
    const e = this.entries.get(runner);
    return e ? this.toView(e) : undefined;
  }

  views(): RunnerView[] {
    return [...this.entries.values()].map((e) => this.toView(e)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every configured runner as selection input. */
  candidates(): RunnerCandidate[] {
    return this.views().map((v) => ({
      name: v.name,
      environments: v.environments,
      priority: v.priority,
      authorized: v.authorized,
      state: v.state,
      reasons: v.reasons,
      labels: v.labels,
      busy: v.currentJob !== null,
    }));
  }

  /** The runner's state changes as failover decisions read them (empty for an unknown runner). */
  history(runner: string): HealthChange[] {
    return [...(this.entries.get(runner)?.history ?? [])];
  }

  private entry(runner: string): Entry {
    const e = this.entries.get(runner);
    if (!e) throw new Error(`runner ${runner} is not in the configuration`);
    return e;
  }

  /** Takes the new health state; records and reports a change. Returns whether the state changed. */
  private apply(e: Entry, next: RunnerHealthState): boolean {
    const prev = e.health;
    const now = this.opts.now();
    const changed = prev.state !== next.state;
    e.health = changed && next.since === undefined ? { ...next, since: now } : next;
    if (changed) {
      e.history.push({ atMs: now, state: next.state });
      if (e.history.length > HISTORY_KEEP) e.history.splice(0, e.history.length - HISTORY_KEEP);
      this.opts.metrics.runnerState(e.config.name, next.state);
      this.opts.log('runner state changed', { runner: e.config.name, from: prev.state, to: next.state, reasons: next.reasons });
      this.fleetIncidents(e, next, now);
      const job = e.agentJob ?? e.githubJob;
      if (next.state === 'offline' && job) {
        for (const listener of this.lostListeners) listener(e.config.name, { ...job }, [...next.reasons]);
      }
    }
    if (changed || prev.reasons.join('\n') !== next.reasons.join('\n')) {
      const { name } = e.config;
      const reasons = [...next.reasons];
      this.write(() => this.opts.store.setRunnerState(name, next.state, reasons, now));
    }
    return changed;
  }

  /** Opens the offline-holding-lock incidents of a runner gone offline; resolves its incidents when it is online again. */
  private fleetIncidents(e: Entry, next: RunnerHealthState, now: number): void {
    const { name: runner, environments } = e.config;
    const { store, log } = this.opts;
    if (next.state === 'offline') {
      const startedAt = e.lastHeartbeatAt ?? now;
      const reasons = [...next.reasons];
      this.write(async () => {
        for (const i of await runnerWentOffline(store, { runner, environments, reasons, startedAt, detectedAt: now })) {
          log('incident opened', { kind: i.kind, id: i.id, runner, environment: i.environment });
        }
      });
    } else if (next.state === 'online') {
      this.envWatch?.forget(environments);
      this.write(async () => {
        for (const i of await runnerCameOnline(store, runner, environments, now)) log('incident resolved', { kind: i.kind, id: i.id, runner, environment: i.environment });
      });
    }
  }

  private writeHeartbeats(): void {
    if (this.pendingHeartbeats.size === 0) return;
    const beats = [...this.pendingHeartbeats.values()];
    this.pendingHeartbeats.clear();
    this.write(() => this.opts.store.recordHeartbeats(beats));
  }

  private write(fn: () => Promise<unknown>): void {
    this.writes = this.writes.then(fn).then(
      () => undefined,
      (err: unknown) => this.opts.log('store write failed', { error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private toView(e: Entry): RunnerView {
    const now = this.opts.now();
    return {
      name: e.config.name,
      state: e.health.state,
      reasons: [...e.health.reasons],
      since: e.health.since ?? null,
      lastHeartbeatAt: e.lastHeartbeatAt ?? null,
      lastHeartbeatAgeMs: e.lastHeartbeatAt === undefined ? null : now - e.lastHeartbeatAt,
      connected: e.session !== undefined,
      probes: e.probes,
      environments: [...e.config.environments],
      labels: [...e.config.labels],
      priority: e.config.priority,
      authorized: true,
      currentJob: e.agentJob ?? e.githubJob,
    };
  }
}

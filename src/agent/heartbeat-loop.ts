/**
 * The agent's pulse: every interval a probe round starts, and a heartbeat
 * with its results goes out when it finishes. A round still running at the
 * next tick does not hold the heartbeat back: it goes out with the last
 * results, so a hung probe never makes the agent look dead. Pairs each ack
 * with its heartbeat for the clock-skew sample. It never throws from a timer.
 */
import type { ClockSample } from './probes/clock-skew.js';
import type { ProbeResult } from './probes/types.js';
import type { Logger } from './log.js';
import type { AgentFrame, JobInfo } from './protocol.js';
import type { Scheduler, TimerHandle } from './socket.js';

export interface HeartbeatLoopDeps {
  now: () => number;
  scheduler: Scheduler;
  intervalMs: () => number;
  runProbes: (clockSample: ClockSample | undefined) => Promise<ProbeResult[]>;
  /** Sends a frame; false when there is no open connection. */
  send: (frame: AgentFrame) => boolean;
  job: () => JobInfo | null;
  onResults: (results: ProbeResult[]) => void;
  log: Logger;
}

/** Heartbeats remembered for their acks; older ones are forgotten. */
const MAX_UNACKED = 64;

export class HeartbeatLoop {
  private results: ProbeResult[] = [];
  private clockSample: ClockSample | undefined;
  private probing = false;
  private seq = 0;
  private running = false;
  private timer: TimerHandle | undefined;
  private readonly sentAt = new Map<number, number>();

  constructor(private readonly deps: HeartbeatLoopDeps) {}

  /** The last round of probe results. */
  get latest(): ProbeResult[] {
    return this.results;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A new or lost connection: acks of earlier heartbeats will not come. */
  connectionChanged(): void {
    this.sentAt.clear();
  }

  /** Records the round trip of the acknowledged heartbeat for the next clock-skew probe. */
  acked(seq: number, serverTime: number, receivedAt: number): void {
    const sent = this.sentAt.get(seq);
    if (sent !== undefined) this.clockSample = { sentAt: sent, receivedAt, serverTime };
    for (const s of this.sentAt.keys()) if (s <= seq) this.sentAt.delete(s);
  }

  private tick(): void {
    if (!this.running) return;
    this.timer = this.deps.scheduler.setTimeout(() => this.tick(), this.deps.intervalMs());
    if (this.probing) {
      this.beat();
      return;
    }
    this.probing = true;
    let round: Promise<ProbeResult[]>;
    try {
      round = this.deps.runProbes(this.clockSample);
    } catch (err) {
      round = Promise.reject(err);
    }
    round
      .then((results) => {
        this.results = results;
        this.deps.onResults(results);
      })
      .catch((err: unknown) => this.deps.log('probes failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        this.probing = false;
        if (this.running) this.beat();
      });
  }

  private beat(): void {
    const frame = { type: 'heartbeat' as const, seq: this.seq + 1, sentAt: this.deps.now(), probes: this.results, job: this.deps.job() };
    if (!this.deps.send(frame)) return;
    this.seq = frame.seq;
    this.sentAt.set(frame.seq, frame.sentAt);
    if (this.sentAt.size > MAX_UNACKED) this.sentAt.delete(this.sentAt.keys().next().value as number);
  }
}

/**
 * Reconnect delays: exponential backoff with full jitter (a uniformly random
 * delay between 0 and the current ceiling), so a fleet of agents that lost
 * the server at the same instant does not come back at the same instant.
 * Pure apart from the injected random source; it never waits itself.
 */

export interface BackoffOptions {
  /** First ceiling; default 500 ms. */
  initialMs?: number;
  /** Largest ceiling; default 15 s. */
  maxMs?: number;
  /** A connection up this long resets the ceiling; default 30 s. */
  resetAfterMs?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 15_000, resetAfterMs: 30_000 } as const;

export class Backoff {
  private attempt = 0;
  private readonly o: Required<BackoffOptions>;

  constructor(
    opts: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.o = { ...DEFAULT_BACKOFF, ...opts };
  }

  /** The ceiling the next delay is drawn under. */
  get ceilingMs(): number {
    return Math.min(this.o.maxMs, this.o.initialMs * 2 ** Math.min(this.attempt, 30));
  }

  /** The delay before the next attempt; each call raises the ceiling. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceilingMs);
    this.attempt++;
    return delay;
  }

  /** Called when a connection closes after being up `upMs`: a long-lived one starts the backoff over. */
  connectionEnded(upMs: number): void {
    if (upMs >= this.o.resetAfterMs) this.attempt = 0;
  }
}

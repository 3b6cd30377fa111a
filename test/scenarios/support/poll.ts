/**
 * Waiting in scenarios: poll a condition until it holds or a deadline passes.
 * Scenarios never sleep to wait; the only pause is between two checks here.
 * A timeout names what was awaited, the last value seen and, through
 * `context`, the logs of the processes involved.
 */

export interface PollOptions {
  /** Give up after this long (default 60 s: generous, but finite). */
  deadlineMs?: number;
  /** Pause between checks (default 100 ms). */
  everyMs?: number;
  /** Extra text for the timeout error, e.g. the processes' recent output. */
  context?: () => string;
}

/** Calls `check` until it returns something other than undefined/false/null; returns that. */
export async function poll<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, opts: PollOptions = {}): Promise<T> {
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const end = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) {
      const why = lastError ? ` (last check threw: ${(lastError as Error).message})` : '';
      const context = opts.context ? `\n${opts.context()}` : '';
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${why}${context}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
  }
}

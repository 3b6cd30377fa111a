/**
 * Long-running commands (server, agent, demo) stop on the first SIGINT or
 * SIGTERM; the wait is a port so tests can stop them without signals.
 */

/** Resolves with the signal's name. */
export type StopSignal = () => Promise<string>;

export const nextStopSignal: StopSignal = () =>
  new Promise((done) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

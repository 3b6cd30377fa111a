/**
 * The shape every agent probe returns and the heartbeat carries to the server.
 * A probe never throws: whatever goes wrong becomes a result with `ok: false`.
 *
 * Convention the server relies on (src/fleet/health.ts):
 * - `ok: false` without `error` is a definitive answer ("the service is down").
 * - `error` set means the probe could not find out (timeout, spawn failure, EACCES).
 */
export interface ProbeResult {
  /** Probe name: one of ProbeName, or `tcp:<name>` for reachability probes. */
  probe: string;
  ok: boolean;
  /** The headline figure (free ratio, latency ms, restarts ...). */
  value?: number;
  unit?: string;
  /** One human sentence with the figure and where it was measured. */
  detail: string;
  /** Error code or message when the probe could not measure. */
  error?: string;
  /** Extra figures the server's rules need (free bytes, path, cores ...). */
  facts?: Record<string, number | string>;
  /** When the measurement was taken (ms since epoch). */
  at: number;
}

export const ProbeName = {
  runnerService: 'runner-service',
  disk: 'disk',
  memory: 'memory',
  load: 'load',
  clockSkew: 'clock-skew',
} as const;

/** Name of a reachability probe: `tcp:server`, `tcp:web-1` ... */
export function tcpProbeName(name: string): string {
  return `tcp:${name}`;
}

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

/** Node error code if there is one, otherwise the message. */
export function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

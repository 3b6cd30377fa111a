/**
 * What GET /status answers: the server's last verdict on this runner, the
 * connection, the current job and the environments the runner may deploy to.
 * `pitcrew hook job-started --guard` decides from exactly this object.
 */
import type { ProbeResult } from './probes/types.js';
import type { JobInfo, RunnerState } from './protocol.js';

export interface AgentStatus {
  runner: string;
  /** From the last ack; null before the first one. */
  state: RunnerState | null;
  reasons: string[];
  connected: boolean;
  /** Local time of the last ack (ms since epoch), or null. */
  lastAckAt: number | null;
  job: JobInfo | null;
  /** Environments the server authorizes this runner for; null when the server has not said. */
  environments: string[] | null;
  /** Where job activity comes from: hooks once one reported, else the diag log, else nothing. */
  jobSource: 'hooks' | 'diag-log' | 'none';
  /** The last round of probe results. */
  probes: ProbeResult[];
}

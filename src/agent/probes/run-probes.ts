/**
 * Runs every configured probe at once under one deadline, and returns one
 * result per probe in a fixed order. A probe that hangs or throws becomes a
 * failed result; this function never rejects. One timer a round, not one a
 * probe: the round runs every second.
 */
import { probeDisk, type DiskPorts } from './disk.js';
import { probeLoad, type LoadPorts } from './load.js';
import { probeMemory, type MemoryPorts } from './memory.js';
import { probeRunnerService, type RunnerServicePorts, type RunnerServiceTarget } from './runner-service.js';
import { probeTcp, type TcpPorts, type TcpTarget } from './tcp.js';
import { clockSkewProbe, type ClockSample } from './clock-skew.js';
import { ProbeName, errorCode, systemClock, tcpProbeName, type Clock, type ProbeResult } from './types.js';

export interface ProbeConfig {
  /** How to tell whether the runner runs; omitted: no runner-service probe. */
  runner?: RunnerServiceTarget;
  /** The runner's work directory (`_work`), whose filesystem is measured. */
  workDir: string;
  /** Reachability probes: the server and the hosts this runner deploys to. */
  tcp?: TcpTarget[];
  /** Last heartbeat round trip, when there has been one. */
  clockSample?: ClockSample;
  maxClockSkewMs?: number;
  /** Deadline for each probe; default 2000 ms. */
  timeoutMs?: number;
}

export interface ProbePorts {
  now: Clock;
  runnerService: Partial<RunnerServicePorts>;
  disk: Partial<DiskPorts>;
  memory: Partial<MemoryPorts>;
  load: Partial<LoadPorts>;
  tcp: Partial<TcpPorts>;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;

export async function runProbes(config: ProbeConfig, ports: Partial<ProbePorts> = {}): Promise<ProbeResult[]> {
  const now = ports.now ?? systemClock;
  const timeoutMs = config.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const jobs: ProbeJob[] = [];
  if (config.runner) {
    const target = config.runner;
    jobs.push([ProbeName.runnerService, () => probeRunnerService(target, { now, timeoutMs, ...ports.runnerService })]);
  }
  jobs.push([ProbeName.disk, () => probeDisk(config.workDir, { now, ...ports.disk })]);
  jobs.push([ProbeName.memory, () => probeMemory({ now, ...ports.memory })]);
  jobs.push([ProbeName.load, () => probeLoad({ now, ...ports.load })]);
  for (const t of config.tcp ?? []) {
    jobs.push([tcpProbeName(t.name ?? `${t.host}:${t.port}`), () => probeTcp(t, { now, timeoutMs, ...ports.tcp })]);
  }
  const results = await withDeadline(jobs, timeoutMs, now);
  if (config.clockSample) results.push(clockSkewProbe(config.clockSample, config.maxClockSkewMs));
  return results;
}

export type ProbeJob = [name: string, run: () => Promise<ProbeResult>];

/** Each probe's result in order; a failed result for a probe that throws or has not answered within `timeoutMs`. */
export function withDeadline(jobs: readonly ProbeJob[], timeoutMs: number, now: Clock = systemClock): Promise<ProbeResult[]> {
  return new Promise((resolve) => {
    const results: Array<ProbeResult | undefined> = jobs.map(() => undefined);
    let waiting = jobs.length;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(results.map((r, i) => r ?? { probe: jobs[i][0], ok: false, error: 'ETIMEDOUT', detail: `probe ${jobs[i][0]} gave no answer within ${timeoutMs} ms`, at: now() }));
    };
    const timer = setTimeout(finish, timeoutMs);
    if (waiting === 0) finish();
    jobs.forEach(([name, run], i) => {
      const settle = (r: ProbeResult) => {
        if (done || results[i] !== undefined) return;
        results[i] = r;
        if (--waiting === 0) finish();
      };
      let pending: Promise<ProbeResult>;
      try {
        pending = run();
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(settle, (err: unknown) => {
        const error = errorCode(err);
        settle({ probe: name, ok: false, error, detail: `probe ${name} failed: ${error}`, at: now() });
      });
    });
  });
}

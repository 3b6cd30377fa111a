/**
 * The runner agent: probes the host on every tick, carries the results to the
 * server in heartbeats over one long-lived stream, records the server's verdict
 * from its acks, tracks job activity (hooks, else the diag log), and serves
 * /metrics, /status and the hook endpoints. Built from injected ports (clock,
 * scheduler, random, WebSocket factory, probe runner) so tests can drive it.
 * It only observes the runner: it never starts, stops or signals it.
 */
import os from 'node:os';
import { packageVersion } from '../version.js';
import type { BackoffOptions } from './backoff.js';
import { DiagLogFollower } from './diag-log.js';
import { createAgentApp, type HookReport } from './http.js';
import { HeartbeatLoop } from './heartbeat-loop.js';
import { JobTracker, type JobEvent } from './jobs.js';
import { serveHttp, type BoundHttp, type ListenAddress } from './listen.js';
import type { Logger } from './log.js';
import { createAgentMetrics, updateFromProbes, type AgentMetrics } from './metrics.js';
import { runProbes, type ProbeConfig } from './probes/run-probes.js';
import type { RunnerServiceTarget } from './probes/runner-service.js';
import type { ClockSample } from './probes/clock-skew.js';
import type { ProbeResult } from './probes/types.js';
import type { Ack, Welcome } from './protocol.js';
import { serverTcpTarget, streamUrl } from './server-url.js';
import { systemScheduler, wsSocketFactory, type Scheduler, type SocketFactory } from './socket.js';
import type { AgentStatus } from './status.js';
import { AgentStream } from './stream.js';

export interface AgentOptions {
  /** The server's base URL (http, https, ws or wss). */
  server: string;
  /** Token with the `agent` role. */
  token: string;
  runner: string;
  /** The runner's work directory, whose filesystem the disk probe measures. */
  workDir: string;
  /** systemd unit or pid file of the runner; omitted: no runner-service probe. */
  service?: RunnerServiceTarget;
  /** The runner's `_diag` folder, followed for job activity when hooks do not report. */
  diagDir?: string;
  /** Heartbeat interval; default: the server's `heartbeatIntervalMs`, else 1 s. */
  intervalMs?: number;
  /** Where to serve HTTP; false: no HTTP server (tests). */
  listen: ListenAddress | false;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  diagPollMs?: number;
  /** Read a diag log that already exists from its start; default false (only lines written from now on). */
  diagFromStart?: boolean;
  probeTimeoutMs?: number;
}

export interface AgentPorts {
  now: () => number;
  scheduler: Scheduler;
  random: () => number;
  connect: SocketFactory;
  runProbes: (config: ProbeConfig) => Promise<ProbeResult[]>;
  hostname: () => string;
  log: Logger;
  metrics: AgentMetrics;
}

export interface AgentHandle {
  status(): AgentStatus;
  /** Where HTTP is served, when it is. */
  readonly http: ListenAddress | undefined;
  readonly metrics: AgentMetrics;
  /** What the hook endpoints call; exposed for in-process use. */
  reportJob(event: 'started' | 'completed', report: HookReport): void;
  /** Closes the stream (code 1000), the HTTP listener and the diag follower. */
  stop(): Promise<void>;
}

export const DEFAULT_INTERVAL_MS = 1000;
/** Job frames kept while disconnected, oldest dropped first. */
const MAX_QUEUED_JOB_FRAMES = 100;

export async function startAgent(opts: AgentOptions, ports: Partial<AgentPorts> = {}): Promise<AgentHandle> {
  const p: AgentPorts = {
    now: () => Date.now(),
    scheduler: systemScheduler,
    random: Math.random,
    connect: wsSocketFactory,
    runProbes: (config) => runProbes(config),
    hostname: () => os.hostname(),
    log: () => undefined,
    metrics: ports.metrics ?? createAgentMetrics(),
    ...ports,
  };
  const serverTarget = serverTcpTarget(opts.server);
  const url = streamUrl(opts.server, opts.runner);

  let welcome: Welcome | undefined;
  let lastAck: (Ack & { at: number }) | undefined;
  let stopped = false;
  const queue: JobEvent[] = [];

  const sendJob = (event: JobEvent) => {
    if (stream.send(event)) return;
    queue.push(event);
    if (queue.length > MAX_QUEUED_JOB_FRAMES) {
      const dropped = queue.shift();
      p.log('job frame dropped while disconnected', { event: dropped?.event, job: dropped?.job.name });
    }
  };

  const tracker = new JobTracker({
    now: p.now,
    onEvent: (event, source) => {
      p.log(`job ${event.event}`, { job: event.job.name, runId: event.job.runId, result: event.result, source });
      if (event.event === 'completed') {
        const durationSeconds = event.job.startedAt < event.at ? (event.at - event.job.startedAt) / 1000 : undefined;
        p.metrics.recordJob(event.result ?? 'unknown', durationSeconds);
      }
      sendJob(event);
    },
  });

  const stream = new AgentStream(
    { url, token: opts.token, backoff: opts.backoff, pingIntervalMs: opts.pingIntervalMs },
    { now: p.now, scheduler: p.scheduler, random: p.random, connect: p.connect, log: p.log },
    {
      onOpen: () => {
        loop.connectionChanged();
        stream.send({ type: 'hello', runner: opts.runner, agentVersion: packageVersion(), hostname: p.hostname(), sentAt: p.now() });
        while (queue.length > 0 && stream.send(queue[0])) queue.shift();
      },
      onFrame: (frame) => {
        if (frame.type === 'welcome') {
          welcome = frame;
          p.log('welcome from the server', { probeTargets: frame.probeTargets.length, environments: frame.environments?.join(',') });
        } else if (frame.type === 'ack') {
          onAck(frame);
        } else {
          p.log('the server reported an error', { message: frame.message });
        }
      },
      onClose: () => loop.connectionChanged(),
    },
  );

  function onAck(ack: Ack): void {
    const receivedAt = p.now();
    loop.acked(ack.seq, ack.serverTime, receivedAt);
    const before = lastAck?.state;
    lastAck = { ...ack, at: receivedAt };
    p.metrics.lastHeartbeat.set(receivedAt / 1000);
    if (ack.state) {
      p.metrics.setState(ack.state);
      if (ack.state !== before) p.log('runner state changed', { from: before ?? 'unknown', to: ack.state, reasons: ack.reasons.join('; ') || undefined });
    }
  }

  function probeConfig(clockSample: ClockSample | undefined): ProbeConfig {
    const targets = welcome?.probeTargets ?? [];
    const hasServer = targets.some((t) => t.name === 'server' || (t.host === serverTarget.host && t.port === serverTarget.port));
    const maxSkew = welcome?.thresholds.maxClockSkewMs;
    return {
      runner: opts.service,
      workDir: opts.workDir,
      tcp: hasServer ? targets : [serverTarget, ...targets],
      clockSample,
      ...(maxSkew !== undefined ? { maxClockSkewMs: maxSkew } : {}),
      ...(opts.probeTimeoutMs !== undefined ? { timeoutMs: opts.probeTimeoutMs } : {}),
    };
  }

  const loop = new HeartbeatLoop({
    now: p.now,
    scheduler: p.scheduler,
    intervalMs: () => opts.intervalMs ?? welcome?.heartbeatIntervalMs ?? DEFAULT_INTERVAL_MS,
    runProbes: (clockSample) => p.runProbes(probeConfig(clockSample)),
    send: (frame) => stream.send(frame),
    job: () => tracker.current,
    onResults: (results) => updateFromProbes(p.metrics, results),
    log: p.log,
  });

  const follower = opts.diagDir
    ? new DiagLogFollower({
        diagDir: opts.diagDir,
        intervalMs: opts.diagPollMs,
        fromStart: opts.diagFromStart,
        onEvent: (ev) => void tracker.fromDiag(ev),
        onError: (err) => p.log('cannot read the runner diag log', { dir: opts.diagDir, error: err instanceof Error ? err.message : String(err) }),
      })
    : undefined;

  const status = (): AgentStatus => ({
    runner: opts.runner,
    state: lastAck?.state ?? null,
    reasons: lastAck?.reasons ?? [],
    connected: stream.connected,
    lastAckAt: lastAck?.at ?? null,
    job: tracker.current,
    environments: welcome?.environments ?? null,
    jobSource: tracker.usingHooks ? 'hooks' : follower ? 'diag-log' : 'none',
    probes: loop.latest,
  });

  const reportJob = (event: 'started' | 'completed', r: HookReport) => {
    if (event === 'started') tracker.started(r, 'hook');
    else tracker.completed(r, r.result ?? 'unknown', 'hook');
  };

  let http: BoundHttp | undefined;
  if (opts.listen) {
    const handle = createAgentApp({
      status,
      metrics: async () => ({ body: await p.metrics.registry.metrics(), contentType: p.metrics.registry.contentType }),
      hook: reportJob,
    });
    http = await serveHttp(handle, opts.listen);
    p.log('serving metrics and status', { address: `${http.address.host}:${http.address.port}` });
  }

  stream.start();
  follower?.start();
  loop.start();

  return {
    status,
    http: http?.address,
    metrics: p.metrics,
    reportJob,
    async stop() {
      if (stopped) return;
      stopped = true;
      loop.stop();
      follower?.stop();
      await Promise.all([stream.stop(), http?.close()]);
      p.log('stopped', { runner: opts.runner });
    },
  };
}

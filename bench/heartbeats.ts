/**
 * Heartbeat handling: one real server (createServer + listen, the same as
 * `pitcrew server`) with AGENTS configured runners, and as many agent streams
 * speaking docs/protocol.md from worker threads (their own event loops), each
 * sending one heartbeat a second, like the agent at its default interval.
 * After every stream is connected and a warm-up, for SECONDS it records the
 * server's handling time of each heartbeat (frame received to ack sent, the
 * pitcrew_server_heartbeat_handling_seconds observations) and each client's
 * round trip (heartbeat sent to its ack received). Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/heartbeats.js [sqlite|postgres] [agents, default 2000] [seconds, default 30]
 *
 * With BENCH_CPU_PROFILE=FILE, the server thread's CPU profile of the window is written to FILE.
 * PostgreSQL: a fresh database on $PITCREW_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import WebSocket from 'ws';
import { parseConfigText } from '../src/config/index.js';
import { createServer, createServerMetrics, listen } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { heartbeat } from '../test/fleet/probes.js';

const WORKERS = 2;
const WARMUP_MS = 8000;
const CONNECT_BATCH = 50;
const TOKEN = randomBytes(16).toString('hex');

interface WorkerInput {
  url: string;
  token: string;
  runners: string[];
}

/** The measuring window (epoch ms), sent to every worker once all streams are up; heartbeats stop at its end. */
interface Window {
  from: number;
  to: number;
}

interface WorkerResult {
  rtts: number[];
  sent: number;
  acked: number;
  errors: number;
  closed: number;
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function figures(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = Float64Array.from(values).sort();
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

async function agentWorker(input: WorkerInput): Promise<void> {
  const window: Window = { from: Infinity, to: Infinity };
  const result: WorkerResult = { rtts: [], sent: 0, acked: 0, errors: 0, closed: 0 };
  const probes = heartbeat();
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const base = input.url.replace(/^http/, 'ws');
  const open = (runner: string) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${base}/api/v1/agent/stream?runner=${runner}`, { headers: { authorization: `Bearer ${input.token}` } });
      const sentAt = new Map<number, number>();
      let seq = 0;
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; seq?: number };
        if (frame.type === 'welcome') return resolve();
        if (frame.type === 'error') result.errors++;
        if (frame.type !== 'ack' || frame.seq === undefined) return;
        const t = sentAt.get(frame.seq);
        sentAt.delete(frame.seq);
        if (t === undefined) return;
        result.acked++;
        const now = Date.now();
        if (now >= window.from && now <= window.to) result.rtts.push(performance.now() - t);
      });
      ws.once('error', reject);
      ws.on('close', () => result.closed++);
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'hello', runner, agentVersion: 'bench', hostname: 'bench' }));
        const beat = () => {
          if (Date.now() > window.to) return;
          seq++;
          sentAt.set(seq, performance.now());
          result.sent++;
          ws.send(JSON.stringify({ type: 'heartbeat', seq, sentAt: Date.now(), probes, job: null }));
        };
        // Spread over the second, as independent agents are.
        const start = setTimeout(() => {
          beat();
          timers.push(setInterval(beat, 1000));
        }, Math.random() * 1000);
        timers.push(start);
      });
      sockets.push(ws);
    });
  for (let i = 0; i < input.runners.length; i += CONNECT_BATCH) await Promise.all(input.runners.slice(i, i + CONNECT_BATCH).map(open));
  const go = new Promise<Window>((resolve) => parentPort?.once('message', resolve));
  parentPort?.postMessage({ ready: true });
  Object.assign(window, await go);
  await new Promise((r) => setTimeout(r, Math.max(0, window.to - Date.now() + 1500)));
  for (const t of timers) clearTimeout(t);
  for (const ws of sockets) ws.terminate();
  parentPort?.postMessage({ result });
}

function configYaml(names: string[]): string {
  return [
    'project: bench',
    'server:',
    '  tokens:',
    '    - { name: agents, role: agent, env: BENCH_AGENT_TOKEN }',
    'runners:',
    ...names.map((n, i) => `  - { name: ${n}, environments: [production], priority: ${(i % 100) + 1} }`),
    'environments:',
    '  production:',
    '    transport: local',
    '    targets:',
    '      - { folder: /srv/bench }',
    '',
  ].join('\n');
}

async function database(backend: string): Promise<{ url: string; dispose(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'pitcrew-bench-hb-'));
    return { url: join(dir, 'pitcrew.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.PITCREW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `pitcrew_bench_hb_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`create database ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), dispose: () => run(`drop database if exists ${name} with (force)`) };
}

async function main(): Promise<void> {
  const backend = process.argv[2] ?? 'sqlite';
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`backend is "${backend}"; expected sqlite or postgres`);
  const agents = Number(process.argv[3] ?? 2000);
  const seconds = Number(process.argv[4] ?? 30);
  const names = Array.from({ length: agents }, (_, i) => `r${String(i).padStart(5, '0')}`);
  const { config } = parseConfigText(configYaml(names), 'bench.yml', { BENCH_AGENT_TOKEN: TOKEN });
  const db = await database(backend);
  const store = await openStore(db.url);
  const handled: number[] = [];
  let measuring = false;
  const base = createServerMetrics(config);
  const metrics = { ...base, heartbeatHandled: (s: number) => (base.heartbeatHandled(s), measuring && handled.push(s * 1000)) };
  let logLines = 0;
  const server = createServer({ config, store, tokens: [{ name: 'agents', role: 'agent', value: TOKEN }], metrics, log: () => logLines++ });
  await server.start();
  const listening = await listen(server, { host: '127.0.0.1', port: 0 }, { authEnabled: true });
  try {
    const tConnect = Date.now();
    const perWorker = Math.ceil(agents / WORKERS);
    const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(new URL(import.meta.url), { workerData: { url: listening.url, token: TOKEN, runners: names.slice(i * perWorker, (i + 1) * perWorker) } satisfies WorkerInput }));
    const results = workers.map(
      (w) =>
        new Promise<WorkerResult>((resolve, reject) => {
          w.on('message', (m: { result?: WorkerResult }) => m.result && resolve(m.result));
          w.once('error', reject);
        }),
    );
    const ready = workers.map((w) => new Promise<void>((resolve, reject) => {
      w.on('message', (m: { ready?: boolean }) => m.ready && resolve());
      w.once('error', reject);
    }));
    const connectBound = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('streams not all connected within 180 s')), 180_000).unref());
    await Promise.race([Promise.all(ready), connectBound]);
    const connectMs = Date.now() - tConnect;
    const window: Window = { from: Date.now() + WARMUP_MS, to: Date.now() + WARMUP_MS + seconds * 1000 };
    for (const w of workers) w.postMessage(window);
    await new Promise((r) => setTimeout(r, window.from - Date.now()));
    measuring = true;
    const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const elu0 = performance.eventLoopUtilization();
    await new Promise((r) => setTimeout(r, window.to - Date.now()));
    measuring = false;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(profile));
      profiler.disconnect();
    }
    const elu = performance.eventLoopUtilization(elu0);
    const online = server.fleet.views().filter((v) => v.state === 'online').length;
    const done = await Promise.all(results);
    await Promise.all(workers.map((w) => w.terminate()));
    const rtts = done.flatMap((r) => r.rtts);
    const sum = (k: 'sent' | 'acked' | 'errors' | 'closed') => done.reduce((a, r) => a + r[k], 0);
    const h = figures(handled);
    const r = figures(rtts);
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    console.log(`heartbeat bench: ${backend}, ${agents} agents, ${seconds} s window after ${connectMs} ms to connect and ${WARMUP_MS} ms warm-up; load average ${loadavg()[0].toFixed(2)}`);
    console.log('| figure | p50 | p95 | p99 | max |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| server handling (frame received to ack sent) | ${ms(h.p50)} | ${ms(h.p95)} | ${ms(h.p99)} | ${ms(h.max)} |`);
    console.log(`| client round trip (sent to ack received) | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} |`);
    console.log(`heartbeats handled in the window: ${handled.length} (${(handled.length / seconds).toFixed(0)}/s); round trips measured: ${rtts.length}`);
    console.log(`sent ${sum('sent')}, acked ${sum('acked')}, error frames ${sum('errors')}, streams closed before the end ${sum('closed')}; runners online at the end ${online}/${agents}`);
    console.log(`server event loop busy ${(elu.utilization * 100).toFixed(0)} % of the window; ${logLines} log lines`);
  } finally {
    await server.stop();
    await listening.close();
    await store.close();
    await db.dispose();
  }
}

if (isMainThread) await main();
else await agentWorker(workerData as WorkerInput);

/**
 * Lock acquire plus release, uncontended: the lease client the deploy engine
 * uses (`acquireLease`, then `lease.release()`) through the store
 * coordinator, on SQLite (a file in a temp folder) and, when it answers, on
 * PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped at the end). Each
 * iteration is timed from the first call to the release's answer. Prints the
 * quantiles per backend; asserts nothing.
 *
 *   npm run build && node dist/bench/lock.js [iterations, default 2000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { acquireLease, storeCoordinator } from '../src/coord/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { ascending, millis, quantile } from './support/stats.js';

const iterations = Number(process.argv[2] ?? 2000);
const warmup = Math.min(200, Math.ceil(iterations / 10));
const PG_ADMIN = process.env.PITCREW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function time(store: Store): Promise<number[]> {
  const coord = storeCoordinator(store);
  const request = { environment: 'production', description: 'bench', runner: 'bench', ttlMs: 60_000, waitMs: 5_000 };
  const times: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const t0 = performance.now();
    const lease = await acquireLease(coord, request, { pollMs: 1 });
    await lease.release();
    const ms = performance.now() - t0;
    if (i >= warmup) times.push(ms);
  }
  return ascending(times);
}

/**
 * The machine's own noise: a fixed CPU-only task of about the lock's median
 * length, timed the same way. On a shared machine its tail shows how much of
 * the lock's tail is waiting for a core rather than the store.
 */
async function control(targetMs: number): Promise<number[]> {
  const spin = (n: number): number => {
    let x = 0;
    for (let j = 0; j < n; j++) x += Math.sqrt(j);
    return x;
  };
  let spins = 1000;
  let sink = 0;
  for (;;) {
    const runs: number[] = [];
    for (let k = 0; k < 9; k++) {
      const t0 = performance.now();
      sink += spin(spins);
      runs.push(performance.now() - t0);
    }
    if (quantile(ascending(runs), 0.5) >= targetMs || spins > 1e8) break;
    spins *= 2;
  }
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    sink += spin(spins);
    await new Promise((r) => setImmediate(r));
    times.push(performance.now() - t0);
  }
  if (Number.isNaN(sink)) console.log(sink);
  return ascending(times);
}

function row(backend: string, t: number[]): string {
  return `| ${backend} | ${t.length} | ${millis(quantile(t, 0.5))} | ${millis(quantile(t, 0.95))} | ${millis(quantile(t, 0.99))} | ${millis(t[t.length - 1])} |`;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

console.log(`lock acquire + release, uncontended, ${iterations} iterations after ${warmup} warm-up, load average ${loadavg()[0].toFixed(2)}`);
console.log('| store | iterations | median | p95 | p99 | max |');
console.log('| --- | --- | --- | --- | --- | --- |');

const dir = await mkdtemp(join(tmpdir(), 'pitcrew-bench-lock-'));
try {
  const store = await openStore(join(dir, 'pitcrew.db'));
  try {
    const sqlite = await time(store);
    console.log(row('SQLite', sqlite));
    console.log(row('(control: CPU-only task, no store)', await control(quantile(sqlite, 0.5))));
  } finally {
    await store.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const database = `pitcrew_bench_${randomBytes(4).toString('hex')}`;
let created = false;
try {
  await admin(`create database ${database}`);
  created = true;
} catch (err) {
  console.log(`(PostgreSQL skipped: nothing answered at ${new URL(PG_ADMIN).host}: ${(err as Error).message})`);
}
if (created) {
  try {
    const url = new URL(PG_ADMIN);
    url.pathname = `/${database}`;
    const store = await openStore(url.toString());
    try {
      console.log(row('PostgreSQL', await time(store)));
    } finally {
      await store.close();
    }
  } finally {
    await admin(`drop database ${database}`);
  }
}

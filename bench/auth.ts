/**
 * What authenticating a request costs: `GET /api/v1/runners` through the
 * server's app in-process, with a token from server.tokens (hash compared in
 * memory) and with a token made in the store (looked up by its hash at every
 * request), on SQLite and, when reachable, PostgreSQL. Prints figures;
 * asserts nothing.
 *
 *   npm run build && node dist/bench/auth.js [requests]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseConfigText } from '../src/config/index.js';
import { hashToken } from '../src/server/api-tokens.js';
import { createServer } from '../src/server/index.js';
import { openStore, type Store } from '../src/store/index.js';

const N = Number(process.argv[2] ?? 3000);
const CONFIG = `
project: bench
server:
  tokens:
    - { name: ops, role: admin, env: T_ADMIN }
runners:
  - { name: primary, environments: [production] }
environments:
  production:
    transport: local
    targets:
      - { folder: /tmp/pitcrew-bench-auth }
`;
const CONFIGURED = 'configured-token-value-0123456789';
const STORED = 'pcr_' + 'ab'.repeat(32);

async function measure(store: Store, label: string): Promise<string[]> {
  const { config } = parseConfigText(CONFIG, 'pitcrew.yml', { T_ADMIN: CONFIGURED });
  const server = createServer({ config, store, tokens: [{ name: 'ops', role: 'admin', value: CONFIGURED }] });
  await store.createApiToken({ name: 'stored', role: 'viewer', hash: hashToken(STORED), createdAt: Date.now(), createdBy: 'bench', expiresAt: null });
  for (let i = 0; i < 100; i++) await server.app.request('/api/v1/runners', { headers: { authorization: `Bearer ${STORED}` } });
  const rows: string[] = [];
  for (const [kind, token] of [['server.tokens', CONFIGURED], ['stored (lookup by hash)', STORED]] as const) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const res = await server.app.request('/api/v1/runners', { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`${kind}: status ${res.status}`);
      await res.arrayBuffer();
    }
    const us = ((performance.now() - t0) * 1000) / N;
    rows.push(`| ${label} | ${kind} | ${N} | ${us.toFixed(0)} µs |`);
  }
  return rows;
}

const rows: string[] = [];
const dir = await mkdtemp(join(tmpdir(), 'pitcrew-bench-auth-'));
try {
  const sqlite = await openStore(join(dir, 'p.db'));
  try {
    rows.push(...(await measure(sqlite, 'SQLite file')));
  } finally {
    await sqlite.close();
  }
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  const db = `pitcrew_bench_auth_${process.pid}`;
  let reachable = true;
  await admin.connect().catch(() => (reachable = false));
  if (reachable) {
    await admin.query(`create database ${db}`);
    try {
      const store = await openStore(`postgres://postgres@127.0.0.1:5432/${db}`);
      try {
        rows.push(...(await measure(store, 'PostgreSQL (loopback)')));
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`drop database ${db}`);
      await admin.end();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(`Node.js ${process.version}, load average ${loadavg()[0].toFixed(1)}\n`);
console.log('| store | token | requests | mean per request |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(r);

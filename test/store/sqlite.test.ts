/**
 * The store contract on SQLite (a file in a temp dir, and :memory:), plus what
 * only SQLite has: the default file, WAL mode, and a second process on the
 * same file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { ExitCode, UsageError } from '../../src/errors.js';
import { openStore, resolveStoreUrl } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './contract.js';
import { T0, waiter, type StoreHarness } from './harness.js';

async function fileHarness(): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-store-'));
  const file = join(dir, 'nested', 'pitcrew.db');
  const url = `sqlite:${file}`;
  return {
    url,
    open: (opts) => openStore(url, opts),
    query: async (sql) => {
      const db = new BetterSqlite3(file);
      try {
        const stmt = db.prepare(sql);
        return stmt.reader ? stmt.all() : (stmt.run(), []);
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function memoryHarness(): Promise<StoreHarness> {
  return {
    url: ':memory:',
    open: (opts) => openStore(':memory:', opts),
    query: () => Promise.reject(new Error(':memory: cannot be reached from another connection')),
    dispose: async () => undefined,
  };
}

storeContract('sqlite file', fileHarness);
storeContract('sqlite :memory:', memoryHarness, { shared: false });

test('sqlite: no URL opens ./.pitcrew/pitcrew.db under cwd, creating the folder, in WAL mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-store-'));
  try {
    const store = await openStore(undefined, { cwd: dir });
    await store.close();
    const file = join(dir, '.pitcrew', 'pitcrew.db');
    assert.ok(existsSync(file));
    const db = new BetterSqlite3(file);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store URLs pick the backend; an unknown scheme is a usage error listing the supported ones', () => {
  assert.deepEqual(resolveStoreUrl('postgres://u@h/db'), { backend: 'postgres', target: 'postgres://u@h/db' });
  assert.deepEqual(resolveStoreUrl('postgresql://u@h/db').backend, 'postgres');
  assert.deepEqual(resolveStoreUrl('sqlite:/var/lib/p.db', '/x'), { backend: 'sqlite', target: '/var/lib/p.db' });
  assert.deepEqual(resolveStoreUrl('sqlite:data/p.db', '/x'), { backend: 'sqlite', target: '/x/data/p.db' });
  assert.deepEqual(resolveStoreUrl('rel.db', '/x'), { backend: 'sqlite', target: '/x/rel.db' });
  assert.deepEqual(resolveStoreUrl(':memory:'), { backend: 'sqlite', target: ':memory:' });
  assert.deepEqual(resolveStoreUrl(undefined, '/x'), { backend: 'sqlite', target: '/x/.pitcrew/pitcrew.db' });
  assert.throws(() => resolveStoreUrl('mysql://h/db'), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.exitCode, ExitCode.usage);
    assert.match(err.message, /mysql/);
    assert.match(err.hint ?? '', /sqlite, postgres/);
    return true;
  });
});

const CHILD = `
const [mod, file, owner, now] = process.argv.slice(2);
const { openStore } = await import(mod);
const store = await openStore('sqlite:' + file);
await store.enqueueLock('prod', { ownerToken: owner, description: 'child', ttlMs: 10000 }, Number(now), 60000);
const poll = await store.pollLock('prod', owner, Number(now), 60000);
const status = await store.lockStatus('prod', Number(now));
process.stdout.write(JSON.stringify({ poll, holder: status.holder && status.holder.ownerToken }));
await store.close();
`;

test('sqlite: another process on the same file sees the lock, queues behind it, and gets it after release', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-store-'));
  const file = join(dir, 'pitcrew.db');
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const mod = new URL('../../src/store/open.js', import.meta.url).href;
  const child = async (now: number) => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, mod, file, 'child', String(now)]);
    return JSON.parse(stdout) as { poll: { status: string; position?: number; fencingToken?: number }; holder: string | null };
  };
  let store: Store | undefined;
  try {
    store = await openStore(`sqlite:${file}`);
    await store.enqueueLock('prod', waiter('parent'), T0, 60_000);
    const mine = await store.pollLock('prod', 'parent', T0, 60_000);
    assert.equal(mine.status, 'granted');

    const first = await child(T0 + 1);
    assert.deepEqual([first.poll.status, first.poll.position, first.holder], ['waiting', 1, 'parent']);
    assert.deepEqual((await store.lockStatus('prod', T0 + 2)).queue.map((w) => w.ownerToken), ['child']);

    assert.equal(await store.releaseLock('prod', 'parent'), true);
    const second = await child(T0 + 3);
    assert.equal(second.poll.status, 'granted');
    assert.ok(mine.status === 'granted' && (second.poll.fencingToken ?? 0) > mine.fencingToken);
    assert.equal((await store.lockStatus('prod', T0 + 4)).holder?.ownerToken, 'child');
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The report on PostgreSQL (127.0.0.1:5432 as postgres, or PITCREW_TEST_PG):
 * the same seeded history and independent check as on SQLite, in a fresh
 * database dropped afterwards. Skipped with the reason when PostgreSQL is not
 * reachable, except in CI or with PITCREW_TEST_PG set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { reportMatchesIndependent } from './check.js';
import { seedHistory } from './seed.js';

const ADMIN_URL = process.env.PITCREW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const required = process.env.CI === 'true' || process.env.PITCREW_TEST_PG !== undefined;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

let skip: string | undefined;
try {
  await admin('select 1');
} catch (err) {
  skip = `PostgreSQL not reachable at ${new URL(ADMIN_URL).host}: ${(err as Error).message}`;
  if (required) test('PostgreSQL is reachable (required in CI or with PITCREW_TEST_PG)', () => assert.fail(skip));
}

test('postgres: figures over 1,000 seeded deployments equal an independent computation', { skip: required ? false : (skip ?? false) }, async () => {
  const database = `pitcrew_test_report_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${database}`);
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    const store = await openStore(url.toString());
    try {
      const T0 = 1_700_000_000_000;
      const history = await seedHistory(store, { seed: 7, count: 1000, start: T0, spanMs: 10 * 86_400_000 });
      const r = await reportMatchesIndependent(store, history, T0, T0 + 10 * 86_400_000, null);
      assert.equal(r.deployments.total, 1000);
    } finally {
      await store.close();
    }
  } finally {
    await admin(`drop database if exists ${database} with (force)`);
  }
});

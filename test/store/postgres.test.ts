/**
 * The store contract on PostgreSQL at 127.0.0.1:5432 (user postgres). Each
 * test gets a fresh database pitcrew_test_<run>_<n>, dropped at the end. If
 * the server is unreachable the tests are skipped with the reason, except in
 * CI or with PITCREW_TEST_PG set, where that is a failure.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ADMIN_URL, pgAdmin as admin } from '../support/postgres-admin.js';
import { ExitCode } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';
import type { StoreHarness } from './harness.js';

const required = process.env.CI === 'true' || process.env.PITCREW_TEST_PG !== undefined;
const run = randomBytes(4).toString('hex');
const created: string[] = [];
let counter = 0;

function urlFor(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}


async function unreachable(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('select 1'));
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${new URL(ADMIN_URL).host}: ${(err as Error).message}`;
  }
}

const skipReason = await unreachable();
if (skipReason !== undefined && required) {
  test('PostgreSQL is reachable (required in CI or with PITCREW_TEST_PG)', () => assert.fail(skipReason));
}

async function pgHarness(): Promise<StoreHarness> {
  const database = `pitcrew_test_${run}_${++counter}`;
  await admin((c) => c.query(`create database ${database}`));
  created.push(database);
  const url = urlFor(database);
  return {
    url,
    open: (opts) => openStore(url, opts),
    query: async (sql) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    },
    dispose: async () => {
      await admin((c) => c.query(`drop database if exists ${database} with (force)`));
      created.splice(created.indexOf(database), 1);
    },
  };
}

after(async () => {
  if (created.length === 0) return;
  await admin(async (c) => {
    for (const db of created) await c.query(`drop database if exists ${db} with (force)`);
  });
});

storeContract('postgres', pgHarness, { skip: required ? undefined : skipReason });

test('postgres: an unreachable server is reported as unavailable (exit 3) without the password', async () => {
  await assert.rejects(openStore('postgres://pitcrew:s3cret-pw@127.0.0.1:1/pitcrew'), (err: unknown) => {
    assert.equal((err as { exitCode?: number }).exitCode, ExitCode.unavailable);
    assert.match((err as Error).message, /127\.0\.0\.1:1/);
    assert.doesNotMatch((err as Error).message, /s3cret-pw/);
    return true;
  });
});

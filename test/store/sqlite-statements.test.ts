import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { cachingStatements } from '../../src/store/sqlite-backend.js';

test('the SQLite backend reuses a prepared statement, but never one busy in an iteration', () => {
  const raw = new BetterSqlite3(':memory:');
  try {
    raw.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);');
    const db = cachingStatements(raw);
    const sql = 'SELECT n FROM t ORDER BY n';
    const first = db.prepare(sql);
    assert.equal(db.prepare(sql), first, 'the same text gives the same statement');
    const seen: number[] = [];
    for (const row of first.iterate() as IterableIterator<{ n: number }>) {
      const inner = db.prepare(sql);
      assert.notEqual(inner, first, 'a busy statement is not handed out again');
      seen.push(row.n, (inner.all() as Array<{ n: number }>).length);
    }
    assert.deepEqual(seen, [1, 3, 2, 3, 3, 3]);
    assert.equal(db.prepare(sql), first, 'once the iteration is over it is reused');
  } finally {
    raw.close();
  }
});

test('the statement cache stays bounded: the oldest text is prepared afresh', () => {
  const raw = new BetterSqlite3(':memory:');
  try {
    const db = cachingStatements(raw);
    const oldest = db.prepare('SELECT 0');
    for (let i = 1; i <= 300; i++) db.prepare(`SELECT ${i}`);
    assert.notEqual(db.prepare('SELECT 0'), oldest);
    assert.equal(db.prepare('SELECT 300'), db.prepare('SELECT 300'));
  } finally {
    raw.close();
  }
});

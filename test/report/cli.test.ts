/**
 * `pitcrew report` end to end through main(): a real SQLite file named by
 * --db or by server.database in pitcrew.yml, the three formats, --json,
 * --env, --since, and the GitHub job summary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/index.js';

const DAY = 86_400_000;
let dir: string;
let db: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitcrew-report-cli-'));
  db = join(dir, 'state', 'pitcrew.db');
  const store = await openStore(db);
  const now = Date.now();
  const deploy = async (id: string, environment: string, startedAt: number, result: string, ms: number) => {
    await store.createDeployment({ id, environment, version: '1', digest: 'd', runner: 'ci-1', actor: 'octocat', state: 'running', startedAt, lockWaitMs: 1500 });
    await store.updateDeployment(id, { state: result, result, finishedAt: startedAt + ms });
  };
  for (let n = 0; n < 19; n++) await deploy(`p${n}`, 'prod', now - DAY + n, 'succeeded', 60_000 + n * 1000);
  await deploy('p-fail', 'prod', now - DAY + 50, 'rolled-back', 700_000);
  await deploy('s1', 'staging|blue', now - 2 * DAY, 'failed', 30_000);
  await deploy('old', 'prod', now - 40 * DAY, 'failed', 10_000);
  await store.upsertRunner({ name: 'ci-1', labels: [], environments: ['prod'], priority: 0, authorized: true }, now - 3 * DAY);
  await store.setRunnerState('ci-1', 'online', [], now - 3 * DAY);
  await store.upsertRunner({ name: 'ci|x', labels: [], environments: ['prod'], priority: 0, authorized: true }, now - 3 * DAY);
  await store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function report(args: string[], env: Record<string, string> = {}) {
  const io = memoryIo({ cwd: dir });
  const code = await main(['report', '--db', db, ...args], env, io);
  return { code, out: io.out(), err: io.err() };
}

test('--format json gives the documented schema with figures in ms and ratios', async () => {
  const { code, out } = await report(['--format', 'json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.schema, 'pitcrew.report/v1');
  assert.deepEqual(Object.keys(r).sort(), ['deployments', 'durationMs', 'failovers', 'incidents', 'lockWaitMs', 'locks', 'objectives', 'objectivesMet', 'runners', 'schema', 'window'].sort());
  assert.equal(r.deployments.total, 21, 'the deploy 40 days ago is outside the default 30d window');
  assert.deepEqual(r.lockWaitMs, { count: 21, p95: 1500 });
  assert.deepEqual(r.objectives.map((o: { id: string }) => o.id), ['deploy-success-rate', 'deploy-duration-p95', 'mttr']);
  for (const o of r.objectives) assert.deepEqual(Object.keys(o).sort(), ['actual', 'comparison', 'id', 'met', 'name', 'status', 'target', 'threshold']);
  assert.equal(r.runners[0].runner, 'ci-1');
  assert.equal(r.runners[0].availability, 1);
});

test('the global --json flag means the JSON form', async () => {
  const { code, out } = await report(['--json', '--env', 'prod']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.window.environment, 'prod');
  assert.equal(r.deployments.total, 20);
  assert.equal(r.objectives[0].status, 'met', '19 of 20 is exactly 95 %');
  assert.equal(r.lockWaitMs.p95, 1500);
});

test('--since narrows the window', async () => {
  const r = JSON.parse((await report(['--json', '--since', '60d'])).out);
  assert.equal(r.deployments.total, 22);
  const narrow = JSON.parse((await report(['--json', '--since', '36h'])).out);
  assert.equal(narrow.deployments.total, 20);
});

test('the markdown form is a set of well-formed tables, with names escaped', async () => {
  const { code, out } = await report(['--format', 'markdown']);
  assert.equal(code, 0);
  assert.match(out, /^## pitcrew report\n/);
  const tables = out.split('\n\n').filter((b) => b.startsWith('|'));
  assert.equal(tables.length, 3);
  for (const t of tables) {
    const rows = t.trim().split('\n');
    const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
    assert.match(rows[1], /^\| (--- \| )*---\s\|$/);
    for (const row of rows) assert.equal(cells(row), cells(rows[0]), row);
  }
  assert.match(out, /\| deploy success rate \| >= 95 % \| 90\.4 % \| ❌ not met \|/);
  assert.match(out, /\| mean time to recover \| <= 300 s \| no data \| ⚪ no data \(not met\) \|/);
  assert.match(out, /\| ci\\\|x \| no data \| 0 ms \| 0 ms \|/, 'a runner never evaluated has no availability, and its name keeps the table intact');
});

test('with $GITHUB_STEP_SUMMARY set, the markdown form is also appended to the job summary', async () => {
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, 'before\n');
  const { code, out } = await report(['--format', 'markdown', '--env', 'prod'], { GITHUB_STEP_SUMMARY: summary });
  assert.equal(code, 0);
  assert.equal(readFileSync(summary, 'utf8'), `before\n${out}`);
});

test('the table form names every objective with its target and verdict', async () => {
  const { code, out } = await report(['--env', 'prod']);
  assert.equal(code, 0);
  assert.match(out, /deploy success rate\s+>= 95 %\s+95\.0 %\s+met/);
  assert.match(out, /duration p50 \/ p95 \/ p99\s+1m 9s \/ 1m 18s \/ 11m 40s/);
  assert.match(out, /p95 deploy duration\s+<= 600 s\s+1m 18s\s+met/);
  assert.match(out, /mean time to recover\s+<= 300 s\s+no data\s+no data \(not met\)/);
  assert.match(out, /objectives met: 2 of 3/);
});

test('server.database in pitcrew.yml names the store, relative to the working directory', async () => {
  writeFileSync(join(dir, 'pitcrew.yml'), 'project: shop\nserver:\n  database: ./state/pitcrew.db\nenvironments:\n  prod:\n    transport: local\n    targets: [{ folder: /tmp/a }]\n');
  const io = memoryIo({ cwd: dir });
  const code = await main(['report', '--json'], {}, io);
  assert.equal(code, 0, io.err());
  assert.equal(JSON.parse(io.out()).deployments.total, 21);
});

test('a --since that is not a duration is a usage error naming the flag', async () => {
  const { code, err } = await report(['--since', 'last week']);
  assert.equal(code, 2);
  assert.match(err, /--since "last week" is not a positive duration/);
});

test('an unknown --format is a usage error listing the choices', async () => {
  const { code, err } = await report(['--format', 'html']);
  assert.equal(code, 2);
  assert.match(err, /table, json, markdown/);
});

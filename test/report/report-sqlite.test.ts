/**
 * The report over 1,200 seeded deployments in a real SQLite file: every
 * figure equals an independent re-computation, for all environments, one
 * environment and a window that leaves older history out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReportInput, computeReport } from '../../src/report/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { reportMatchesIndependent } from './check.js';
import { seedHistory, type SeededHistory } from './seed.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
let dir: string;
let store: Store;
let history: SeededHistory;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitcrew-report-'));
  store = await openStore(join(dir, 'pitcrew.db'));
  history = await seedHistory(store, { seed: 20261126, count: 1200, start: T0, spanMs: 30 * DAY });
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('figures over the whole history equal an independent computation', async () => {
  const r = await reportMatchesIndependent(store, history, T0, T0 + 30 * DAY, null);
  assert.ok(r.deployments.total >= 1000);
  assert.ok(r.deployments.inProgress > 0 && r.deployments.cancelled > 0, 'the seed holds unfinished and cancelled deploys');
});

test('--env keeps only that environment, its runners and their incidents', async () => {
  const r = await reportMatchesIndependent(store, history, T0, T0 + 30 * DAY, 'staging');
  assert.equal(r.deployments.total, history.deployments.filter((d) => d.environment === 'staging').length);
  assert.deepEqual(r.runners.map((a) => a.runner), ['ci-2']);
});

test('the window leaves out deployments started before it', async () => {
  const from = T0 + 20 * DAY;
  const r = await reportMatchesIndependent(store, history, from, T0 + 30 * DAY, 'prod');
  assert.equal(r.deployments.total, history.deployments.filter((d) => d.environment === 'prod' && d.startedAt >= from).length);
  assert.ok(r.deployments.total < history.deployments.filter((d) => d.environment === 'prod').length);
});

test('runner availability is the online share of the known time in the window, from the state history', async () => {
  const w = T0 + 40 * DAY;
  await store.upsertRunner({ name: 'ci-9', labels: [], environments: ['qa'], priority: 0, authorized: true }, w - 5000);
  await store.setRunnerState('ci-9', 'online', [], w - 1000);
  await store.setRunnerState('ci-9', 'offline', ['no heartbeat'], w + 100);
  await store.setRunnerState('ci-9', 'degraded', ['disk low'], w + 400);
  await store.setRunnerState('ci-9', 'online', [], w + 500);
  await store.upsertRunner({ name: 'ci-8', labels: [], environments: ['qa'], priority: 0, authorized: true }, w);
  await store.setRunnerState('ci-8', 'online', [], w + 200);
  const r = computeReport(await collectReportInput(store, { from: w, to: w + 1000, environment: 'qa' }));
  const byName = Object.fromEntries(r.runners.map((a) => [a.runner, a]));
  assert.deepEqual({ ...byName['ci-9'] }, { runner: 'ci-9', availability: 0.6, onlineMs: 600, knownMs: 1000, changes: 3 });
  // Not yet known before its first evaluation: that time is left out, not counted as down.
  assert.deepEqual({ ...byName['ci-8'] }, { runner: 'ci-8', availability: 1, onlineMs: 800, knownMs: 800, changes: 1 });
});

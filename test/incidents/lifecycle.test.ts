/**
 * Incidents opened once per problem and resolved automatically when the
 * problem is gone, on a real SQLite store.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEPLOY_ROLLBACK_FAILED, DEPLOY_ROLLED_BACK, ENVIRONMENT_NO_HEALTHY_RUNNER, RUNNER_OFFLINE_HOLDING_LOCK, openIncidentOnce, resolveIncidentsWhen,
} from '../../src/incidents/index.js';
import { openStore, type Store } from '../../src/store/index.js';

const T = 1_700_000_000_000;
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitcrew-incidents-'));
  store = await openStore(join(dir, 'pitcrew.db'));
  await store.upsertRunner({ name: 'ci-1', labels: [], environments: ['prod', 'staging'], priority: 0, authorized: true }, T);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (kind: string, where: { environment?: string; runner?: string }, startedAt = T) =>
  openIncidentOnce(store, { kind, ...where, cause: `${kind} happened`, startedAt, detectedAt: startedAt + 5 });

test('a problem that already has an open incident does not get a second one', async () => {
  const first = await open(DEPLOY_ROLLED_BACK, { environment: 'prod' });
  const again = await open(DEPLOY_ROLLED_BACK, { environment: 'prod' }, T + 100);
  assert.equal(first.opened, true);
  assert.equal(again.opened, false);
  assert.equal(again.incident.id, first.incident.id);
  const other = await open(DEPLOY_ROLLED_BACK, { environment: 'staging' });
  assert.equal(other.opened, true, 'another environment is another problem');
  assert.equal((await store.listIncidents('open')).length, 2);
  assert.deepEqual([first.incident.openedAt, first.incident.detectedAt], [T, T + 5]);
});

test('once resolved, the same problem opens a new incident', async () => {
  const first = await open(RUNNER_OFFLINE_HOLDING_LOCK, { runner: 'ci-1' });
  await store.resolveIncident(first.incident.id, T + 10, 'back');
  const next = await open(RUNNER_OFFLINE_HOLDING_LOCK, { runner: 'ci-1' }, T + 20);
  assert.equal(next.opened, true);
  assert.notEqual(next.incident.id, first.incident.id);
});

test('a later successful deploy resolves the environment\'s rolled-back and rollback-failed incidents only', async () => {
  const rb = await open(DEPLOY_ROLLED_BACK, { environment: 'prod' });
  const rbf = await open(DEPLOY_ROLLBACK_FAILED, { environment: 'prod' });
  const elsewhere = await open(DEPLOY_ROLLED_BACK, { environment: 'staging' });
  const runner = await open(RUNNER_OFFLINE_HOLDING_LOCK, { runner: 'ci-1' });
  const resolved = await resolveIncidentsWhen(store, { type: 'deploy-succeeded', environment: 'prod', deploymentId: 'd-9' }, T + 1000, 'deploy d-9 succeeded');
  assert.deepEqual(resolved.map((i) => i.id).sort(), [rb.incident.id, rbf.incident.id].sort());
  assert.ok(resolved.every((i) => i.resolvedAt === T + 1000 && i.resolutionNote === 'deploy d-9 succeeded'));
  assert.deepEqual((await store.listIncidents('open')).map((i) => i.id).sort(), [elsewhere.incident.id, runner.incident.id].sort());
  const audit = await store.listAudit({ action: 'incident.resolve' });
  assert.deepEqual(audit.map((a) => [a.actor, a.target]).sort(), [['pitcrew', `incident:${rb.incident.id}`], ['pitcrew', `incident:${rbf.incident.id}`]].sort());
});

test('a deploy that succeeded before the incident opened does not resolve it', async () => {
  await open(DEPLOY_ROLLED_BACK, { environment: 'prod' }, T + 5000);
  assert.deepEqual(await resolveIncidentsWhen(store, { type: 'deploy-succeeded', environment: 'prod' }, T + 1000, 'older success'), []);
  assert.equal((await store.listIncidents('open')).length, 1);
});

test('a runner back online resolves its offline-holding-lock incident and no-healthy-runner for the environments it serves', async () => {
  const held = await open(RUNNER_OFFLINE_HOLDING_LOCK, { runner: 'ci-1' });
  const prod = await open(ENVIRONMENT_NO_HEALTHY_RUNNER, { environment: 'prod' });
  const qa = await open(ENVIRONMENT_NO_HEALTHY_RUNNER, { environment: 'qa' });
  const otherRunner = await open(RUNNER_OFFLINE_HOLDING_LOCK, { runner: 'ci-2' });
  const resolved = await resolveIncidentsWhen(store, { type: 'runner-online', runner: 'ci-1' }, T + 60_000, 'ci-1 is online again');
  assert.deepEqual(resolved.map((i) => i.id).sort(), [held.incident.id, prod.incident.id].sort());
  assert.deepEqual((await store.listIncidents('open')).map((i) => i.id).sort(), [qa.incident.id, otherRunner.incident.id].sort());
});

test('the environments a runner serves can be passed in instead of read from the store', async () => {
  const qa = await open(ENVIRONMENT_NO_HEALTHY_RUNNER, { environment: 'qa' });
  const resolved = await resolveIncidentsWhen(store, { type: 'runner-online', runner: 'ci-7', environments: ['qa'] }, T + 60_000, 'ci-7 online');
  assert.deepEqual(resolved.map((i) => i.id), [qa.incident.id]);
});

/**
 * `pitcrew incident list|ack|resolve` through main() on a real SQLite file:
 * output, the audit entries with their actor, and unknown ids.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { DEPLOY_ROLLED_BACK, openIncidentOnce } from '../../src/incidents/index.js';
import { openStore } from '../../src/store/index.js';

let dir: string;
let db: string;
let id: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitcrew-incident-cli-'));
  db = join(dir, 'pitcrew.db');
  const store = await openStore(db);
  const t = Date.now() - 60_000;
  id = (await openIncidentOnce(store, { kind: DEPLOY_ROLLED_BACK, environment: 'prod', cause: 'health check failed on web-1', startedAt: t, detectedAt: t + 2000 })).incident.id;
  await store.close();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  const io = memoryIo({ cwd: dir });
  const code = await main(['incident', ...args, '--db', db], env, io);
  return { code, out: io.out(), err: io.err() };
}

async function audit() {
  const store = await openStore(db);
  try {
    return await store.listAudit({ target: `incident:${id}` });
  } finally {
    await store.close();
  }
}

test('list shows open incidents; resolved ones only with --all', async () => {
  const listed = await cli(['list']);
  assert.equal(listed.code, 0);
  assert.match(listed.out, new RegExp(`${id}\\s+deploy\\.rolled-back\\s+open\\s+\\S+\\s+prod\\s+-\\s+health check failed on web-1`));
  assert.equal((await cli(['resolve', id, '--note', 'redeployed'])).code, 0);
  assert.equal((await cli(['list'])).out, 'no incidents\n');
  const all = JSON.parse((await cli(['list', '--all', '--json'])).out);
  assert.equal(all.incidents[0].id, id);
  assert.equal(all.incidents[0].resolutionNote, 'redeployed');
});

test('ack acknowledges once and is audited with $GITHUB_ACTOR as actor', async () => {
  const r = await cli(['ack', id], { GITHUB_ACTOR: 'octocat', USER: 'someone' });
  assert.equal(r.code, 0);
  assert.equal(r.out, `incident ${id} acknowledged\n`);
  const again = await cli(['ack', id], { USER: 'someone' });
  assert.equal(again.code, 0);
  assert.match(again.out, /already acknowledged; nothing changed/);
  const entries = await audit();
  assert.deepEqual(entries.map((a) => [a.action, a.actor]), [['incident.ack', 'octocat']]);
  assert.match((await cli(['list'])).out, /acknowledged/);
});

test('resolve keeps the note and audits it with $USER, else cli, as actor', async () => {
  const r = await cli(['resolve', id, '--note', 'rolled forward to 1.4.3', '--json'], { USER: 'alice' });
  assert.equal(r.code, 0);
  const body = JSON.parse(r.out);
  assert.equal(body.changed, true);
  assert.equal(body.incident.resolutionNote, 'rolled forward to 1.4.3');
  assert.ok(body.incident.resolvedAt >= body.incident.openedAt);
  const entries = await audit();
  assert.deepEqual(entries.map((a) => [a.action, a.actor, a.detail]), [['incident.resolve', 'alice', 'rolled forward to 1.4.3']]);
  assert.match((await cli(['resolve', id, '--note', 'again'])).out, /already resolved/);
  assert.equal((await audit()).length, 1, 'resolving again changes nothing and audits nothing');
});

test('without $GITHUB_ACTOR or $USER the actor is cli', async () => {
  assert.equal((await cli(['ack', id], {})).code, 0);
  assert.equal((await audit())[0].actor, 'cli');
});

test('an unknown id is a usage error (exit 2) naming the id, and changes nothing', async () => {
  for (const args of [['ack', 'no-such-id'], ['resolve', 'no-such-id', '--note', 'x']]) {
    const r = await cli(args);
    assert.equal(r.code, 2);
    assert.match(r.err, /no incident with id "no-such-id"/);
    assert.match(r.err, /pitcrew incident list --all/);
  }
  assert.equal((await audit()).length, 0);
});

test('resolve without --note is a usage error', async () => {
  const r = await cli(['resolve', id]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--note/);
});

test('a note that contains a secret is refused and nothing is stored', async () => {
  const r = await cli(['resolve', id, '--note', 'rotated tok-9f8e7d6c5b4a'], { PITCREW_TOKEN: 'tok-9f8e7d6c5b4a' });
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.err + r.out, /tok-9f8e7d6c5b4a/);
  const listed = JSON.parse((await cli(['list', '--json'])).out);
  assert.equal(listed.incidents[0].resolvedAt, null);
  assert.equal((await audit()).length, 0);
});

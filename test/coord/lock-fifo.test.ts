/**
 * Fifty deployers started at once against one environment, on each store
 * backend (SQLite, PostgreSQL) and through the server: they hold the lock
 * strictly one at a time, in the order their lock requests arrived, none is
 * lost, and each writes under its fencing token to the store (deployment
 * record and journal) and to a target (a switch, checked by its fence).
 *
 * Arrival order is the ticket each enqueue was answered with (the store
 * serializes enqueues); grants are recorded on a logical clock shared by all
 * fifty, so the invariant "no two holders ever overlapped" is checked on
 * event order, never on times.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_URL, pgAdmin } from '../support/postgres-admin.js';
import { acquireLease, httpCoordinator, storeCoordinator, type DeployCoordinator } from '../../src/coord/index.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import { openStore, type Store } from '../../src/store/index.js';
import { makeArtifact, sha256, tempDir } from '../deploy/fixtures.js';
import { startTestServer, TOKENS } from '../server/harness.js';

const HOLDERS = 50;
const ENV = 'staging';

interface Holder {
  index: number;
  ticket: number;
  token: number;
  deploymentId: string;
  granted: number;
  released: number;
}

interface Run {
  holders: Holder[];
  /** Most holders ever inside the critical section at once. */
  maxInside: number;
}

/** A coordinator that tells `onEnqueued` the ticket its first enqueue was answered with. */
function recording(coord: DeployCoordinator, onEnqueued: (ticket: number) => void): DeployCoordinator {
  let first = true;
  return {
    ...coord,
    async enqueue(environment, waiter) {
      const r = await coord.enqueue(environment, waiter);
      if (first) onEnqueued(r.ticket);
      first = false;
      return r;
    },
  };
}

/** Starts HOLDERS deployers at once; each takes the lock, records a deployment, journals and switches the target, then releases. */
async function fiftyAtOnce(coordFor: (i: number) => DeployCoordinator, targetFolder: string, releaseId: string): Promise<Run> {
  let clock = 0;
  let inside = 0;
  let maxInside = 0;
  const holders: Holder[] = [];
  const one = async (index: number): Promise<void> => {
    let ticket = -1;
    const coord = recording(coordFor(index), (t) => (ticket = t));
    const lease = await acquireLease(coord, { environment: ENV, description: `deploy #${index}`, runner: 'stager', ttlMs: 60_000, waitMs: 240_000 });
    const granted = ++clock;
    inside++;
    maxInside = Math.max(maxInside, inside);
    const deploymentId = `dep-${index}`;
    try {
      await coord.createDeployment({
        id: deploymentId, environment: ENV, version: '1.0.0', digest: 'ab'.repeat(32), runner: 'stager', actor: `deployer-${index}`,
        state: 'running', startedAt: Date.now(), fencingToken: lease.fencingToken,
      });
      const write = (step: string, phase: string) =>
        coord.appendJournal([{ deploymentId, step, target: 'web-1', phase, detail: null, fencingToken: lease.fencingToken, at: Date.now() }]);
      await write('switch', 'started');
      const session = await localTransport().open({ name: 'web-1', folder: targetFolder });
      try {
        await session.switchTo(releaseId, lease.fencingToken);
      } finally {
        await session.close();
      }
      await write('switch', 'succeeded');
      await coord.updateDeployment(deploymentId, { state: 'succeeded', result: 'succeeded', finishedAt: Date.now() });
      await write('finish', 'succeeded');
    } finally {
      inside--;
      holders.push({ index, ticket, token: lease.fencingToken, deploymentId, granted, released: ++clock });
      await lease.release();
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: HOLDERS }, (_, i) => one(i)));
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  assert.deepEqual(failed.map((f) => String(f.reason)), [], 'every deployer got its turn and finished');
  return { holders, maxInside };
}

/** A staged release on a fresh local target, for every holder to switch to with its own token. */
async function stagedTarget(dir: string): Promise<{ folder: string; releaseId: string }> {
  const file = await makeArtifact(dir, 'shop-1.0.0.tar.gz', { VERSION: '1.0.0\n' });
  const digest = sha256(await readFile(file));
  const releaseId = releaseIdFor('1.0.0', digest);
  const folder = join(dir, 'web-1');
  await mkdir(folder);
  const session = await localTransport().open({ name: 'web-1', folder });
  await session.stage(releaseId, file, digest);
  await session.close();
  return { folder, releaseId };
}

/** What must hold after the fifty: FIFO by arrival, tokens rising, no overlap, every deployment recorded, lock free. */
async function assertSerialized(run: Run, read: DeployCoordinator, targetFolder: string): Promise<void> {
  const { holders } = run;
  assert.equal(holders.length, HOLDERS, 'none lost');
  assert.equal(run.maxInside, 1, 'never two holders at once');
  const byGrant = [...holders].sort((a, b) => a.granted - b.granted);
  const tickets = holders.map((h) => h.ticket);
  assert.equal(new Set(tickets).size, HOLDERS, 'each lock request got its own ticket');
  assert.ok(tickets.every((t) => t > 0), 'every enqueue was recorded');
  assert.deepEqual(byGrant.map((h) => h.ticket), [...tickets].sort((a, b) => a - b), 'the lock was granted in arrival (ticket) order');
  for (let i = 1; i < byGrant.length; i++) {
    const [prev, next] = [byGrant[i - 1], byGrant[i]];
    assert.ok(next.token > prev.token, `fencing token ${next.token} of #${next.index} after ${prev.token} of #${prev.index}`);
    assert.ok(prev.released < next.granted, `#${prev.index} [${prev.granted}, ${prev.released}] overlaps #${next.index} [${next.granted}, ${next.released}]`);
  }
  for (const h of holders) assert.ok(h.granted < h.released);

  const deployments = await read.listDeployments({ environment: ENV, limit: 200 });
  assert.equal(deployments.length, HOLDERS, 'each deployment recorded');
  for (const h of holders) {
    const d = deployments.find((x) => x.id === h.deploymentId);
    assert.deepEqual([d?.state, d?.fencingToken], ['succeeded', h.token], h.deploymentId);
    const journal = await read.listJournal(h.deploymentId);
    assert.deepEqual(journal.map((e) => [e.step, e.phase, e.fencingToken]), [['switch', 'started', h.token], ['switch', 'succeeded', h.token], ['finish', 'succeeded', h.token]]);
  }
  const status = await read.lockStatus(ENV);
  const last = byGrant[HOLDERS - 1].token;
  assert.deepEqual([status.holder, status.queue, status.lastFencingToken], [null, [], last]);
  const fence = (await readFile(join(targetFolder, '.pitcrew', 'fence'), 'utf8')).trim();
  assert.equal(fence, String(last), 'the target saw every switch, the last one with the newest token');
}

test(`sqlite: ${HOLDERS} deployers at once hold the lock one at a time, in arrival order, none lost`, { timeout: 240_000 }, async () => {
  const tmp = await tempDir('pitcrew-fifo-');
  const stores: Store[] = [];
  try {
    const target = await stagedTarget(tmp.path);
    const db = join(tmp.path, 'pitcrew.db');
    // Ten connections to one database file, five deployers on each.
    for (let i = 0; i < 10; i++) stores.push(await openStore(db));
    const run = await fiftyAtOnce((i) => storeCoordinator(stores[i % stores.length]), target.folder, target.releaseId);
    await assertSerialized(run, storeCoordinator(stores[0]), target.folder);
  } finally {
    for (const s of stores) await s.close();
    await tmp.cleanup();
  }
});

const pgRequired = process.env.CI === 'true' || process.env.PITCREW_TEST_PG !== undefined;
const pgDatabase = `pitcrew_fifo_${randomBytes(4).toString('hex')}`;
let pgCreated = false;


const pgSkip = await pgAdmin((c) => c.query('select 1')).then(
  () => undefined,
  (err: Error) => `PostgreSQL not reachable at ${new URL(ADMIN_URL).host}: ${err.message}`,
);

after(async () => {
  if (pgCreated) await pgAdmin((c) => c.query(`drop database if exists ${pgDatabase} with (force)`));
});

test(`postgres: ${HOLDERS} deployers at once hold the lock one at a time, in arrival order, none lost`, { timeout: 240_000, skip: pgRequired ? undefined : pgSkip }, async () => {
  const tmp = await tempDir('pitcrew-fifo-');
  const stores: Store[] = [];
  try {
    const target = await stagedTarget(tmp.path);
    await pgAdmin((c) => c.query(`create database ${pgDatabase}`));
    pgCreated = true;
    const u = new URL(ADMIN_URL);
    u.pathname = `/${pgDatabase}`;
    // Ten pools of three connections, five deployers on each.
    for (let i = 0; i < 10; i++) stores.push(await openStore(u.toString(), { poolSize: 3 }));
    const run = await fiftyAtOnce((i) => storeCoordinator(stores[i % stores.length]), target.folder, target.releaseId);
    await assertSerialized(run, storeCoordinator(stores[0]), target.folder);
  } finally {
    for (const s of stores) await s.close();
    await tmp.cleanup();
  }
});

test(`through the server: ${HOLDERS} deployers with a deployer token hold the lock one at a time, in arrival order, none lost`, { timeout: 240_000 }, async () => {
  const tmp = await tempDir('pitcrew-fifo-');
  const t = await startTestServer();
  try {
    const target = await stagedTarget(tmp.path);
    const coordFor = () => httpCoordinator({ url: t.url, token: TOKENS.deployer, runner: 'stager' });
    const run = await fiftyAtOnce(coordFor, target.folder, target.releaseId);
    await assertSerialized(run, coordFor(), target.folder);
    // The server's own store agrees with what the deployers were told.
    assert.equal((await t.store.listDeployments({ environment: ENV, limit: 200 })).filter((d) => d.state === 'succeeded').length, HOLDERS);
  } finally {
    await t.dispose();
    await tmp.cleanup();
  }
});

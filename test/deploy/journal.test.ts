import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployCoordinator, JournalEvent, JournalEventInput } from '../../src/coord/index.js';
import { Journal } from '../../src/deploy/journal.js';

/** A coordinator whose journal writes wait until the test lets each one finish. */
function slowJournal() {
  const writes: Array<{ events: JournalEventInput[]; finish(err?: Error): void }> = [];
  let seq = 0;
  const coord = {
    appendJournal: (events: readonly JournalEventInput[]) =>
      new Promise<JournalEvent[]>((resolve, reject) => {
        writes.push({
          events: [...events],
          finish: (err) => (err ? reject(err) : resolve(events.map((e) => ({ ...e, seq: ++seq })))),
        });
      }),
  } as unknown as DeployCoordinator;
  return { coord, writes };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Lets the event loop turn until `done` holds (at most 20 turns). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !done(); i++) await turn();
}

test('journal writes of one turn share a store write; writes made meanwhile share the next, in order', async () => {
  const { coord, writes } = slowJournal();
  const journal = new Journal(coord, 'd1', 7, () => 1000, (text) => text.replaceAll('hunter2', '***'));
  const first = ['web-1', 'web-2', 'web-3'].map((t) => journal.write('stage', t, 'started'));
  await turn();
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0].events.map((e) => e.target), ['web-1', 'web-2', 'web-3']);
  assert.ok(writes[0].events.every((e) => e.deploymentId === 'd1' && e.fencingToken === 7 && e.at === 1000));
  // Written while the first store write is in flight: they wait for it, then go together.
  const second = [journal.write('stage', 'web-2', 'succeeded', 'password hunter2'), journal.write('stage', 'web-1', 'succeeded')];
  await turn();
  assert.equal(writes.length, 1, 'nothing is sent while a write is in flight');
  writes[0].finish();
  assert.deepEqual((await Promise.all(first)).map((e) => e.seq), [1, 2, 3]);
  await until(() => writes.length === 2);
  assert.equal(writes.length, 2);
  assert.deepEqual(writes[1].events.map((e) => [e.target, e.detail]), [['web-2', 'password ***'], ['web-1', null]]);
  writes[1].finish();
  assert.deepEqual((await Promise.all(second)).map((e) => e.seq), [4, 5]);
});

test('a refused store write fails every event it carried, and the journal goes on with later ones', async () => {
  const { coord, writes } = slowJournal();
  const journal = new Journal(coord, 'd1', 7);
  const a = journal.write('switch', 'web-1', 'started');
  const b = journal.write('switch', 'web-2', 'started');
  await turn();
  writes[0].finish(new Error('stale fencing token'));
  await assert.rejects(a, /stale fencing token/);
  await assert.rejects(b, /stale fencing token/);
  const c = journal.write('rollback', null, 'started');
  await until(() => writes.length === 2);
  assert.equal(writes.length, 2);
  writes[1].finish();
  assert.equal((await c).step, 'rollback');
});

test('a step is journaled started before it runs and succeeded after, each awaited', async () => {
  const { coord, writes } = slowJournal();
  const journal = new Journal(coord, 'd1', 7);
  let ran = false;
  const step = journal.step('health', 'web-1', null, async () => {
    ran = true;
    return 'ok';
  });
  await turn();
  assert.equal(ran, false, 'the step waits for its started event to be stored');
  writes[0].finish();
  await until(() => writes.length === 2);
  assert.equal(ran, true);
  assert.deepEqual(writes[1].events.map((e) => e.phase), ['succeeded']);
  writes[1].finish();
  assert.equal(await step, 'ok');
});

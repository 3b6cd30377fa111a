/**
 * Scenario 3: two deploys to one environment at once run one after the other,
 * never interleaved.
 *
 * Two `pitcrew deploy` processes for `production` (versions 3.0.0 and 3.1.0)
 * start together against one store and three local targets. The lock must
 * queue one behind the other: both succeed, the journal of the first is
 * complete before the second switches anything, the fencing tokens grow, the
 * second tells where it waits, and every target ends on the second's release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployFleet, poll, scenarioScope } from './support/index.js';

test('two deploys started at once run one after the other and every target ends on the later one\'s release', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const df = await deployFleet(scope, { transport: 'local' });
  const a = await df.release('3.0.0');
  const b = await df.release('3.1.0');

  const [pa, pb] = await Promise.all([df.startDeploy('deploy 3.0.0', a), df.startDeploy('deploy 3.1.0', b)]);
  // While they run, no target is ever seen on a release neither of them started from or goes to.
  const seen = new Set<string>();
  await poll('both deploys to finish', async () => {
    for (const c of await df.currents()) seen.add(String(c));
    return !pa.running() && !pb.running();
  }, { context: () => `${pa.tail()}\n${pb.tail()}` });
  const [ea, eb] = await Promise.all([pa.exited, pb.exited]);
  assert.deepEqual([ea.code, eb.code], [0, 0], `${pa.tail()}\n${pb.tail()}`);

  const deployments = await df.deployments();
  assert.equal(deployments.length, 2);
  const [first, second] = [...deployments].sort((x, y) => x.fencingToken! - y.fencingToken!);
  assert.ok(first.fencingToken! < second.fencingToken!, 'fencing tokens grow');
  assert.deepEqual([first.state, second.state], ['succeeded', 'succeeded']);

  // Never interleaved: all of the first deployment's journal lies before the second's first switch.
  const lastOfFirst = Math.max(...first.journal.map((e) => e.at));
  const firstSwitchOfSecond = Math.min(...second.journal.filter((e) => e.step === 'switch').map((e) => e.at));
  assert.ok(lastOfFirst <= firstSwitchOfSecond, `first ended at ${lastOfFirst}, second switched at ${firstSwitchOfSecond}`);
  assert.ok(Math.max(...first.journal.map((e) => e.at)) <= Math.min(...second.journal.map((e) => e.at)), 'the second journaled nothing while the first ran');
  assert.ok(first.journal.every((e) => e.fencingToken === first.fencingToken) && second.journal.every((e) => e.fencingToken === second.fencingToken));

  // The one that waited said so, with its place in the queue.
  const [firstProc, secondProc] = first.version === '3.0.0' ? [pa, pb] : [pb, pa];
  assert.match(secondProc.stdout(), /waiting for the lock on production: position 1 in the queue/, secondProc.stdout());
  assert.doesNotMatch(firstProc.stdout(), /waiting for the lock/, firstProc.stdout());

  // The later one's release everywhere; no target ever showed a third release.
  const planOf = (d: typeof first) => JSON.parse(d.journal.find((e) => e.step === 'plan')!.detail!) as { releaseId: string };
  const secondId = planOf(second).releaseId;
  const finalIds = await df.currents();
  assert.equal(new Set(finalIds).size, 1, `one release on every target: ${finalIds.join(', ')}`);
  assert.equal(finalIds[0], secondId, 'the second deploy\'s release');
  assert.equal(secondId.split('-')[0], second.version);
  assert.notEqual(planOf(first).releaseId, secondId);
  const releases = new Set((await df.releaseDirs()).flat());
  assert.ok([...seen].every((s) => s === 'undefined' || releases.has(s)), `seen: ${[...seen].join(', ')}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { DeployCoordinator } from '../../src/coord/index.js';
import { readJournal } from '../../src/deploy/journal.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';

test('recovery completes (never rolls back) a deploy whose journal shows it committed', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const { coord, close } = await ws.coordinator();
    // The store stops taking the final record right after the commit was journaled.
    const flaky: DeployCoordinator = {
      ...coord,
      updateDeployment: async (id, patch) => {
        if (patch.state === 'succeeded') throw new Error('store went away');
        return coord.updateDeployment(id, patch);
      },
    };
    const { report } = await ws.deploy({ artifact: await ws.artifact('2.0.0') }, { coord: flaky });
    assert.equal(report.exitCode, 0);
    const v2 = report.releaseId;
    assert.deepEqual(await ws.currents(), [v2, v2, v2]);
    assert.equal((await coord.listDeployments({ environment: 'prod', limit: 1 }))[0].state, 'running');
    const recovered = await ws.deploy({ kind: 'recover' });
    assert.deepEqual(recovered.report.recovered.map((r) => r.result), ['completed']);
    assert.deepEqual(await ws.currents(), [v2, v2, v2], 'a committed deploy stays deployed');
    const [latest] = await coord.listDeployments({ environment: 'prod', limit: 1 });
    assert.equal(latest.state, 'succeeded');
    assert.equal((await readFile(`${ws.folders[2]}/releases/${v2}/.pitcrew-mark`, 'utf8')).trim(), 'good');
    await close();
  } finally {
    await ws.cleanup();
  }
});

test('recover with nothing unfinished changes nothing and exits 0', async () => {
  const ws = await deployWorkspace();
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report.releaseId;
    const { report, lines } = await ws.deploy({ kind: 'recover' });
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.recovered, []);
    assert.ok(lines.includes('nothing to recover on prod: no unfinished deployment'));
    assert.deepEqual(await ws.currents(), [v1, v1, v1]);
  } finally {
    await ws.cleanup();
  }
});

test('the journal reading knows the captured releases, the switches started and the commit', () => {
  const base = { deploymentId: 'd', fencingToken: 1, at: 0 };
  let seq = 0;
  const ev = (step: string, target: string | null, phase: string, detail: string | null = null) => ({ ...base, seq: ++seq, step, target, phase, detail });
  const r = readJournal([
    ev('plan', null, 'started', JSON.stringify({ releaseId: '2.0.0-aaaaaaaaaaaa', targets: ['a', 'b'] })),
    ev('capture', 'a', 'succeeded', JSON.stringify({ current: '1.0.0-bbbbbbbbbbbb' })),
    ev('capture', 'b', 'succeeded', JSON.stringify({ current: null })),
    ev('switch', 'a', 'started'),
  ]);
  assert.equal(r.releaseId, '2.0.0-aaaaaaaaaaaa');
  assert.deepEqual([...r.captured], [['a', '1.0.0-bbbbbbbbbbbb'], ['b', null]]);
  assert.deepEqual([...r.switchStarted], ['a']);
  assert.equal(r.committed, undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployWorkspace } from '../support/deploy-fixtures.js';

test('an inconclusive smoke test (no answer in time) rolls every target back exactly like a failed one, and is journaled with its attempts and time', async () => {
  const ws = await deployWorkspace({
    batchSize: 3,
    smokeTests: [{ kind: 'command', name: 'checkout answers', run: 'if [ -e hang ]; then sleep 30; fi', retries: 1, interval: '10ms', timeout: '300ms' }],
  });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report;
    assert.equal(v1.result, 'succeeded');
    assert.deepEqual(v1.smokeTests.map((c) => [c.status, c.attempts]), [['passed', 1]]);
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { extra: { hang: '' } }) });
    assert.equal(report.result, 'rolled-back');
    assert.equal(report.exitCode, 1);
    assert.deepEqual(await ws.currents(), [v1.releaseId, v1.releaseId, v1.releaseId]);
    assert.deepEqual(report.smokeTests.map((c) => [c.check, c.status, c.attempts]), [['checkout answers', 'inconclusive', 2]]);
    assert.ok(lines.some((l) => l.startsWith('smoke test checkout answers inconclusive (no answer: never a pass): no result within 300 ms (no output) (after 2 attempts) — rolling back all 3 targets')), lines.join('\n'));
    assert.ok(lines.some((l) => /^smoke test checkout answers: inconclusive after 2 attempts in \d+(\.\d)? m?s \(/.test(l)), lines.join('\n'));
    assert.deepEqual(report.targets.map((t) => [t.rolledBack, t.checks[0]?.status, t.rollbackChecks[0]?.status]), [['ok', 'passed', 'passed'], ['ok', 'passed', 'passed'], ['ok', 'passed', 'passed']]);
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(report.deploymentId!);
    await close();
    const smoke = journal.find((e) => e.step === 'smoke' && e.phase !== 'started');
    assert.equal(smoke?.phase, 'failed');
    assert.match(smoke?.detail ?? '', /^checkout answers: inconclusive after 2 attempts in \d+(\.\d)? m?s \(no result within 300 ms \(no output\) \(after 2 attempts\)\)$/);
    const health = journal.filter((e) => e.step === 'health' && e.phase === 'succeeded');
    assert.equal(health.length, 3);
    for (const e of health) assert.match(e.detail ?? '', /^no fail marker: passed after 1 attempt in \d+(\.\d)? m?s \(exit 0\)$/);
  } finally {
    await ws.cleanup();
  }
});

test('a failed health check is journaled as a failed step, and the checks after the rollback are kept beside it', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') })).report;
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) });
    assert.equal(report.result, 'rolled-back');
    const web2 = report.targets.find((t) => t.target === 'web-2')!;
    assert.deepEqual([web2.checks[0].status, web2.rollbackChecks[0].status, web2.final], ['failed', 'passed', v1.releaseId]);
    assert.ok(lines.some((l) => /^rollback health check on web-2: no fail marker: passed after 1 attempt in /.test(l)), lines.join('\n'));
    const { coord, close } = await ws.coordinator();
    const journal = await coord.listJournal(report.deploymentId!);
    await close();
    const health = journal.find((e) => e.step === 'health' && e.target === 'web-2' && e.phase !== 'started');
    assert.equal(health?.phase, 'failed');
    assert.match(health?.detail ?? '', /^no fail marker: failed after 1 attempt in .* \(exit 1 \(no output\) \(after 1 attempt\)\)$/);
    const back = journal.filter((e) => e.step === 'rollback.health' && e.phase === 'succeeded').map((e) => e.target).sort();
    assert.deepEqual(back, ['web-1', 'web-2', 'web-3']);
  } finally {
    await ws.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';

test('deploy, status, releases and lock through the CLI, with --version and --json', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  try {
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: ws.dir });
      const code = await main(['--config', ws.configPath, ...args], {}, io);
      return { code, out: io.out(), err: io.err() };
    };
    await ws.artifact('1.0.0');
    const first = await cli('deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz', '--version', 'v1');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /switching batch 1\/1: web-1, web-2, web-3/);
    const json = await cli('--json', 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { failOn: ['web-1'] }));
    assert.equal(json.code, 1);
    const report = JSON.parse(json.out);
    assert.equal(report.result, 'rolled-back');
    assert.deepEqual(report.targets.map((t: { final: string }) => t.final), [report.targets[0].captured, report.targets[0].captured, report.targets[0].captured]);
    assert.match(report.targets[0].captured, /^v1-/);
    const status = await cli('status', 'prod');
    assert.equal(status.code, 0);
    assert.match(status.out, /web-2: v1-[0-9a-f]{12} \(fence 2\)/);
    assert.match(status.out, /lock: free/);
    assert.match(status.out, /2\.0\.0\S* rolled-back by/);
    const releases = await cli('releases', 'prod');
    assert.match(releases.out, /web-1:\n {2}\* v1-[0-9a-f]{12} \(good\)\n {4}2\.0\.0\S*-[0-9a-f]{12} \(bad\)\n/);
    assert.match(releases.out, /\* v1-[0-9a-f]{12} \(good\)/);
    const refused = await cli('lock', 'release', 'prod');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /only the owner releases a lock/);
    const forced = await cli('lock', 'release', 'prod', '--force', '--reason', 'runner gone');
    assert.equal(forced.code, 0);
    assert.match(forced.out, /the lock was free/);
    const unknown = await cli('deploy', 'staging', '--artifact', 'x.tar.gz');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /environments\.staging is not defined/);
  } finally {
    await ws.cleanup();
  }
});

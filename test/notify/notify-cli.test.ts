import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';
import { startReceiver } from './receiver.js';

test('pitcrew deploy sends the environment\'s notifications, signed, and a failing notifier changes nothing', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  const rx = await startReceiver();
  const broken = await startReceiver(500);
  try {
    const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as { environments: { prod: Record<string, unknown> } };
    config.environments.prod.notifications = [
      { kind: 'webhook', url: rx.url, events: ['deploy.started', 'deploy.succeeded', 'deploy.failed'], secretEnv: 'HOOK_KEY' },
      { kind: 'webhook', url: broken.url, events: ['deploy.failed'] },
    ];
    await writeFile(ws.configPath, JSON.stringify(config));
    const env = { HOOK_KEY: 'cli-signing-key-0123' };
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: ws.dir });
      const code = await main(['--config', ws.configPath, ...args], env, io);
      return { code, out: io.out(), err: io.err() };
    };
    const good = await cli('deploy', 'prod', '--artifact', await ws.artifact('1.0.0'));
    assert.equal(good.code, 0, good.err);
    const bad = await cli('deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { failOn: ['web-3'] }));
    assert.equal(bad.code, 1, bad.err);
    assert.deepEqual(rx.json().map((b) => b.event), ['deploy.started', 'deploy.succeeded', 'deploy.started', 'deploy.failed']);
    for (const r of rx.received) {
      assert.equal(r.headers['x-pitcrew-signature-256'], `sha256=${createHmac('sha256', env.HOOK_KEY).update(r.body).digest('hex')}`);
      assert.ok(!r.body.includes(env.HOOK_KEY));
    }
    assert.match(bad.out, /^notification to webhook 127\.0\.0\.1:\d+ failed: answered HTTP 500$/m);
    assert.doesNotMatch(good.out, /notification to/);
  } finally {
    await rx.close();
    await broken.close();
    await ws.cleanup();
  }
});

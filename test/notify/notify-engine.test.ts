import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Notifier } from '../../src/config/notifiers.js';
import { SecretMasker } from '../../src/mask/index.js';
import { createNotify } from '../../src/notify/index.js';
import { deployWorkspace } from '../support/deploy-fixtures.js';
import { deadUrl, startReceiver } from './receiver.js';

const ALL = ['deploy.started', 'deploy.succeeded', 'deploy.failed', 'rollback.succeeded', 'rollback.failed'] as const;

function webhook(url: string, secretEnv?: string): Notifier {
  return { kind: 'webhook', url, events: [...ALL], ...(secretEnv ? { secretEnv } : {}) };
}

test('a good deploy sends deploy.started then deploy.succeeded, signed with the HMAC key', async () => {
  const ws = await deployWorkspace();
  const rx = await startReceiver();
  try {
    const env = { HOOK_KEY: 'k3y-for-signing-hooks' };
    const lines: string[] = [];
    const notify = createNotify({ notifiers: [webhook(rx.url, 'HOOK_KEY')], env, mask: (t) => t, say: (l) => lines.push(l) });
    const { report } = await ws.deploy({ artifact: await ws.artifact('1.0.0') }, { notify });
    assert.equal(report.result, 'succeeded');
    const bodies = rx.json();
    assert.deepEqual(bodies.map((b) => b.event), ['deploy.started', 'deploy.succeeded']);
    assert.deepEqual(bodies.map((b) => b.result), ['running', 'succeeded']);
    for (const b of bodies) {
      assert.equal(b.environment, 'prod');
      assert.equal(b.deploymentId, report.deploymentId);
      assert.equal(b.releaseId, report.releaseId);
      assert.equal(b.version, '1.0.0');
    }
    assert.deepEqual(bodies[1].targets, { total: 3, switched: 3, rolledBack: 0, failed: 0, names: ['web-1', 'web-2', 'web-3'] });
    for (const r of rx.received) {
      const expected = `sha256=${createHmac('sha256', env.HOOK_KEY).update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-pitcrew-signature-256'], expected);
      assert.equal(r.headers['content-type'], 'application/json');
    }
    assert.deepEqual(lines, []);
  } finally {
    await rx.close();
    await ws.cleanup();
  }
});

test('a failed deploy sends deploy.started then deploy.failed with the rolled-back result and the error', async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  const rx = await startReceiver();
  try {
    await ws.deploy({ artifact: await ws.artifact('1.0.0') });
    const notify = createNotify({ notifiers: [webhook(rx.url)], env: {}, mask: (t) => t, say: () => undefined });
    const { report } = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-2'] }) }, { notify });
    assert.equal(report.result, 'rolled-back');
    const bodies = rx.json();
    assert.deepEqual(bodies.map((b) => b.event), ['deploy.started', 'deploy.failed']);
    assert.equal(bodies[1].result, 'rolled-back');
    assert.match(String(bodies[1].error), /health check no fail marker failed on web-2/);
    assert.equal((bodies[1].targets as { rolledBack: number }).rolledBack, 3);
    assert.equal(rx.received[0].headers['x-pitcrew-signature-256'], undefined, 'unsigned without secretEnv');
  } finally {
    await rx.close();
    await ws.cleanup();
  }
});

test('a secret printed by a failing step never reaches any notification payload, in any form', async () => {
  const ws = await deployWorkspace();
  const rx = await startReceiver();
  const slackRx = await startReceiver(200);
  try {
    const secret = 'hunter2-Sup3r-s3cret-token';
    const masker = new SecretMasker();
    masker.register(secret, 'test');
    const environment = { ...ws.environment, steps: { ...ws.environment.steps, install: { run: [`echo "using ${secret}" >&2; echo "${Buffer.from(secret).toString('base64')}"; exit 3`], timeout: 20_000 } } };
    const notify = createNotify({
      notifiers: [webhook(rx.url), { kind: 'slack', urlEnv: 'SLACK_URL', events: [...ALL] }],
      env: { SLACK_URL: slackRx.url },
      mask: (t) => masker.mask(t),
      say: () => undefined,
    });
    const { report } = await ws.deploy({ artifact: await ws.artifact('1.0.0'), environment }, { notify });
    assert.equal(report.result, 'rolled-back');
    assert.ok(report.error?.includes(secret), 'the step output carries the secret into the report (precondition)');
    const all = [...rx.received, ...slackRx.received];
    assert.equal(rx.received.length, 2);
    assert.equal(slackRx.received.length, 2);
    for (const r of all) {
      assert.equal(masker.containsSecret(r.body), false, r.body);
      assert.ok(!r.body.includes(secret));
      assert.ok(!r.body.includes(Buffer.from(secret).toString('base64')));
    }
    assert.match(String(rx.json()[1].error), /install step failed on web-1: .*\*\*\*/);
  } finally {
    await rx.close();
    await slackRx.close();
    await ws.cleanup();
  }
});

for (const [name, setup] of [
  ['answers 500', async () => { const rx = await startReceiver(500); return { url: rx.url, close: () => rx.close(), count: () => rx.received.length }; }],
  ['is not listening', async () => ({ url: await deadUrl(), close: async () => undefined, count: () => -1 })],
] as const) {
  test(`a receiver that ${name} leaves the deploy's result and exit code unchanged and is narrated once`, async () => {
    const ws = await deployWorkspace({ batchSize: 3 });
    const target = await setup();
    try {
      const lines: string[] = [];
      const notify = createNotify({ notifiers: [webhook(target.url)], env: {}, mask: (t) => t, say: (l) => lines.push(l), post: { retryDelayMs: 1 } });
      const good = await ws.deploy({ artifact: await ws.artifact('1.0.0') }, { notify });
      assert.equal(good.report.result, 'succeeded');
      assert.equal(good.report.exitCode, 0);
      const bad = await ws.deploy({ artifact: await ws.artifact('2.0.0', { failOn: ['web-1'] }) }, { notify });
      assert.equal(bad.report.result, 'rolled-back');
      assert.equal(bad.report.exitCode, 1);
      const failures = lines.filter((l) => l.startsWith('notification to webhook 127.0.0.1:'));
      assert.equal(failures.length, 4, lines.join('\n'));
      assert.match(failures[0], name === 'answers 500' ? /failed: answered HTTP 500$/ : /failed: connection failed \(ECONNREFUSED\)$/);
      if (name === 'answers 500') assert.equal(target.count(), 8, 'each event tried twice (one retry on 5xx)');
    } finally {
      await target.close();
      await ws.cleanup();
    }
  });
}

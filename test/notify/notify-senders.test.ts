import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notifier } from '../../src/config/notifiers.js';
import type { DeployReport } from '../../src/deploy/report.js';
import { UsageError } from '../../src/errors.js';
import { createNotify, endEvent, NotifyError, postJson, senderFor, signature } from '../../src/notify/index.js';
import { startReceiver } from './receiver.js';

function report(over: Partial<DeployReport> = {}): DeployReport {
  return {
    kind: 'deploy', environment: 'prod', deploymentId: 'd-1', version: '1.4.2', releaseId: '1.4.2-abcdef012345', sha256: 'ab'.repeat(32),
    fencingToken: 7, result: 'succeeded', exitCode: 0, targets: [], smokeTests: [], pruned: {}, recovered: [], ...over,
  };
}

test('a slack notifier posts an incoming-webhook message: text plus section and context blocks', async () => {
  const rx = await startReceiver(200);
  try {
    const notifiers: Notifier[] = [{ kind: 'slack', urlEnv: 'SLACK_URL', events: ['deploy.failed'] }];
    const notify = createNotify({ notifiers, env: { SLACK_URL: rx.url }, mask: (t) => t, say: () => undefined });
    await notify('deploy.failed', report({ result: 'rolled-back', exitCode: 1, error: 'health check http failed on web-2: HTTP 503' }));
    const [msg] = rx.json() as [{ text: string; blocks: { type: string; text?: { type: string; text: string } }[] }];
    assert.equal(typeof msg.text, 'string');
    assert.match(msg.text, /1\.4\.2-abcdef012345 to \*prod\* failed/);
    assert.deepEqual(msg.blocks.map((b) => b.type), ['section', 'section', 'context']);
    assert.equal(msg.blocks[0].text?.type, 'mrkdwn');
    assert.match(msg.blocks[1].text?.text ?? '', /HTTP 503/);
  } finally {
    await rx.close();
  }
});

test('a slack notifier whose URL variable is unset is narrated by the variable name, never a URL', async () => {
  const lines: string[] = [];
  const notify = createNotify({ notifiers: [{ kind: 'slack', urlEnv: 'SLACK_URL', events: ['deploy.succeeded'] }], env: {}, mask: (t) => t, say: (l) => lines.push(l) });
  await notify('deploy.succeeded', report());
  assert.deepEqual(lines, ['notification to slack $SLACK_URL failed: SLACK_URL (the Slack webhook URL) is not set']);
});

test('only notifiers subscribed to an event receive it', async () => {
  const rx = await startReceiver();
  try {
    const notify = createNotify({ notifiers: [{ kind: 'webhook', url: rx.url, events: ['deploy.failed', 'rollback.failed'] }], env: {}, mask: (t) => t, say: () => undefined });
    await notify('deploy.started', report());
    await notify('deploy.succeeded', report());
    await notify('rollback.failed', report({ result: 'rollback-failed', exitCode: 4 }));
    assert.deepEqual(rx.json().map((b) => b.event), ['rollback.failed']);
  } finally {
    await rx.close();
  }
});

test('a webhook with secretEnv set but its variable missing is not sent unsigned', async () => {
  const rx = await startReceiver();
  try {
    const lines: string[] = [];
    const notify = createNotify({ notifiers: [{ kind: 'webhook', url: rx.url, events: ['deploy.succeeded'], secretEnv: 'HOOK_KEY' }], env: {}, mask: (t) => t, say: (l) => lines.push(l) });
    await notify('deploy.succeeded', report());
    assert.equal(rx.received.length, 0);
    assert.match(lines[0], /^notification to webhook 127\.0\.0\.1:\d+ failed: HOOK_KEY \(its signing key\) is not set/);
  } finally {
    await rx.close();
  }
});

test('the signature is sha256= and the hex HMAC-SHA256 of the exact body (RFC 4231 vector)', () => {
  assert.equal(signature('what do ya want for nothing?', 'Jefe'), 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('an unknown notifier kind is a usage error listing the valid kinds', () => {
  assert.throws(() => senderFor('email'), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /unknown notifier kind "email"/);
    assert.equal(err.hint, 'valid kinds: webhook, slack');
    return true;
  });
});

test('the end event follows the result and the kind', () => {
  assert.equal(endEvent(report()), 'deploy.succeeded');
  assert.equal(endEvent(report({ result: 'rolled-back' })), 'deploy.failed');
  assert.equal(endEvent(report({ result: 'rollback-failed' })), 'rollback.failed');
  assert.equal(endEvent(report({ kind: 'rollback' })), 'rollback.succeeded');
  assert.equal(endEvent(report({ result: 'dry-run' })), null);
  assert.equal(endEvent(report({ kind: 'recover' })), null);
});

test('a receiver that never answers is a timeout, not retried', async () => {
  let connections = 0;
  const server = createServer(() => undefined);
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await assert.rejects(postJson(url, '{}', {}, { timeoutMs: 300, retryDelayMs: 1 }), (err: unknown) => err instanceof NotifyError && /no answer within 300 ms/.test(err.message));
    for (const deadline = Date.now() + 5000; connections === 0 && Date.now() < deadline;) await new Promise((r) => setImmediate(r));
    assert.equal(connections, 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

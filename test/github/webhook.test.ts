import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import {
  parseWorkflowJobEvent,
  verifyWebhookSignature,
  WebhookPayloadError,
  type WebhookDelivery,
} from '../../src/github/webhook.js';
import { deliverWebhook, workflowJobDelivery } from '../support/fake-github.js';

const SECRET = 'It\'s a Secret to Everybody';

function headers(event = 'workflow_job', delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958') {
  return { 'X-GitHub-Event': event, 'X-GitHub-Delivery': delivery };
}

function parseError(fn: () => unknown): WebhookPayloadError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WebhookPayloadError, `expected WebhookPayloadError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the delivery to be refused');
}

test('accepts the signature from GitHub\'s documentation example', () => {
  // docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
  const check = verifyWebhookSignature(SECRET, 'Hello, World!', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  assert.deepEqual(check, { valid: true });
});

test('accepts a signature made by octokit\'s reference signer over the raw bytes', async () => {
  const body = JSON.stringify(workflowJobDelivery('completed'));
  const header = await sign(SECRET, body);
  assert.deepEqual(verifyWebhookSignature(SECRET, Buffer.from(body), header), { valid: true });
});

test('refuses a body that was altered after signing', async () => {
  const body = JSON.stringify(workflowJobDelivery('completed', { conclusion: 'success' }));
  const header = await sign(SECRET, body);
  const check = verifyWebhookSignature(SECRET, body.replace('success', 'failure'), header);
  assert.equal(check.valid, false);
  assert.equal(check.valid === false && check.reason, 'mismatch');
});

test('refuses a signature made with another secret', async () => {
  const header = await sign('another secret', 'x');
  const check = verifyWebhookSignature(SECRET, 'x', header);
  assert.equal(check.valid === false && check.reason, 'mismatch');
});

test('gives distinct reasons for a missing, malformed or non-sha256 header and for no secret', () => {
  const reasonOf = (secret: string, h: string | undefined) => {
    const check = verifyWebhookSignature(secret, 'x', h);
    return check.valid ? 'valid' : check.reason;
  };
  assert.equal(reasonOf(SECRET, undefined), 'missing-header');
  assert.equal(reasonOf(SECRET, '  '), 'missing-header');
  assert.equal(reasonOf(SECRET, 'sha256=zz'), 'malformed-header');
  assert.equal(reasonOf(SECRET, 'sha256=' + 'a'.repeat(63)), 'malformed-header');
  assert.equal(reasonOf(SECRET, 'abcdef'), 'malformed-header');
  assert.equal(reasonOf(SECRET, 'sha1=' + 'a'.repeat(40)), 'unsupported-algorithm');
  assert.equal(reasonOf('', 'sha256=' + 'a'.repeat(64)), 'no-secret');
});

test('a rejection message never contains the secret', () => {
  const check = verifyWebhookSignature(SECRET, 'x', 'sha256=' + 'b'.repeat(64));
  assert.equal(check.valid, false);
  assert.ok(check.valid === false && !check.message.includes(SECRET));
});

test('reads the fields pitcrew uses from a completed workflow_job delivery', () => {
  const body = JSON.stringify(
    workflowJobDelivery('completed', { id: 99, run_id: 7, run_attempt: 2, conclusion: 'failure', runner_name: 'runner-a', owner: 'acme', repo: 'shop' }),
  );
  const d = parseWorkflowJobEvent(headers(), body);
  assert.equal(d.kind, 'workflow_job');
  const { event } = d as Extract<WebhookDelivery, { kind: 'workflow_job' }>;
  assert.equal(event.deliveryId, '72d3162e-cc78-11e3-81ab-4c9367dc0958');
  assert.equal(event.action, 'completed');
  assert.equal(event.repository, 'acme/shop');
  assert.equal(event.job.id, 99);
  assert.equal(event.job.runAttempt, 2);
  assert.equal(event.job.conclusion, 'failure');
  assert.equal(event.job.runnerName, 'runner-a');
  assert.equal(event.job.runnerGroupName, 'Default');
  assert.equal(event.job.workflowName, 'Deploy');
  assert.equal(event.job.headBranch, 'main');
  assert.deepEqual(event.job.labels, ['self-hosted', 'linux', 'deploy-prod']);
  assert.equal(event.job.steps.length, 2);
  assert.equal(event.job.completedAt, '2024-05-01T10:04:00Z');
});

test('a queued delivery has no runner yet', () => {
  const d = parseWorkflowJobEvent(headers(), JSON.stringify(workflowJobDelivery('queued')));
  assert.ok(d.kind === 'workflow_job');
  assert.equal(d.event.job.runnerName, null);
  assert.equal(d.event.job.runnerId, null);
  assert.equal(d.event.job.conclusion, null);
  assert.deepEqual(d.event.job.steps, []);
});

test('reads octokit\'s published completed.failure example, which predates run_attempt', () => {
  // Trimmed from octokit/webhooks payload-examples/api.github.com/workflow_job/completed.failure.with-organization.payload.json
  const body = JSON.stringify({
    action: 'completed',
    workflow_job: {
      id: 289782451, run_id: 2202229078, head_sha: '3484a3fb816e0859fd6e1cea078d76385ff50625', status: 'completed', conclusion: 'failure',
      started_at: '2021-08-05T10:34:58Z', completed_at: '2021-08-05T10:38:16Z', name: 'linters',
      steps: [{ name: 'Set up job', status: 'completed', conclusion: 'success', number: 1, started_at: '2021-08-05T10:26:08.000Z', completed_at: '2021-08-05T10:26:11.000Z' }],
      labels: ['ubuntu-latest'], runner_id: 5, runner_name: 'GitHub Actions 5', runner_group_id: 2, runner_group_name: 'GitHub Actions',
    },
    repository: { id: 186853002, full_name: 'Codertocat/Hello-World' },
  });
  const d = parseWorkflowJobEvent(headers(), body);
  assert.ok(d.kind === 'workflow_job');
  assert.equal(d.event.job.runAttempt, 1);
  assert.equal(d.event.job.workflowName, null);
  assert.equal(d.event.job.runnerName, 'GitHub Actions 5');
});

test('reports ping and other events as ignored, with a reason', () => {
  const ping = parseWorkflowJobEvent(headers('ping'), JSON.stringify({ zen: 'Design for failure.', hook_id: 1 }));
  assert.equal(ping.kind, 'ignored');
  assert.ok(ping.kind === 'ignored' && /reachable/.test(ping.reason));
  const push = parseWorkflowJobEvent(headers('push'), 'not even json');
  assert.deepEqual(push.kind === 'ignored' && [push.eventName, push.reason], ['push', 'pitcrew acts only on workflow_job deliveries']);
});

test('accepts headers in any case, and fetch Headers', () => {
  const body = JSON.stringify(workflowJobDelivery('in_progress'));
  const lower = parseWorkflowJobEvent({ 'x-github-event': 'workflow_job', 'x-github-delivery': 'abc' }, body);
  const fetchHeaders = parseWorkflowJobEvent(new Headers({ 'X-GitHub-Event': 'workflow_job', 'X-GitHub-Delivery': 'abc' }), body);
  assert.equal(lower.kind, 'workflow_job');
  assert.equal(fetchHeaders.kind, 'workflow_job');
});

test('a missing event or delivery header is named', () => {
  const body = JSON.stringify(workflowJobDelivery('queued'));
  assert.equal(parseError(() => parseWorkflowJobEvent({ 'X-GitHub-Delivery': 'x' }, body)).path, 'headers.X-GitHub-Event');
  assert.equal(parseError(() => parseWorkflowJobEvent({ 'X-GitHub-Event': 'workflow_job' }, body)).path, 'headers.X-GitHub-Delivery');
});

test('a wrong field is reported by JSON path with what was expected and found', () => {
  const payload = workflowJobDelivery('completed');
  (payload.workflow_job.steps[1] as { status: unknown }).status = 7;
  const err = parseError(() => parseWorkflowJobEvent(headers(), JSON.stringify(payload)));
  assert.equal(err.path, 'workflow_job.steps[1].status');
  assert.equal(err.expected, 'string');
  assert.equal(err.found, 'number 7');
  assert.match(err.message, /^Webhook payload invalid at workflow_job\.steps\[1\]\.status \(delivery 72d3162e/);
});

test('an unknown action and a missing key are named too', () => {
  const unknownAction = { ...workflowJobDelivery('queued'), action: 'exploded' };
  const err1 = parseError(() => parseWorkflowJobEvent(headers(), JSON.stringify(unknownAction)));
  assert.equal(err1.path, 'action');
  assert.match(err1.expected, /one of "queued", "in_progress", "completed", "waiting"/);
  const noRepo: Record<string, unknown> = workflowJobDelivery('queued');
  delete noRepo.repository;
  const err2 = parseError(() => parseWorkflowJobEvent(headers(), JSON.stringify(noRepo)));
  assert.equal(err2.path, 'repository');
  assert.equal(err2.found, 'nothing (the key is missing)');
});

test('a huge wrong value is described, never echoed', () => {
  const payload = workflowJobDelivery('queued');
  const huge = { ...payload, workflow_job: { ...payload.workflow_job, name: 'y'.repeat(100_000) }, repository: { full_name: ['z'.repeat(100_000)] } };
  const err = parseError(() => parseWorkflowJobEvent(headers(), JSON.stringify(huge)));
  assert.equal(err.path, 'repository.full_name');
  assert.equal(err.found, 'an array of 1');
  assert.ok(err.message.length < 300, `message is ${err.message.length} characters`);
});

test('a body that is not JSON, or form-encoded, says so and what to change', () => {
  const err = parseError(() => parseWorkflowJobEvent(headers(), '{"action":'));
  assert.equal(err.path, '(root)');
  assert.match(err.found, /not valid JSON/);
  const form = parseError(() => parseWorkflowJobEvent(headers(), 'payload=%7B%7D'));
  assert.match(form.hint ?? '', /content type to application\/json/);
});

test('a delivery sent like GitHub sends it is verified and parsed by a receiver over HTTP', async () => {
  const received: { check: string; kind?: string; ua?: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyWebhookSignature(SECRET, raw, req.headers['x-hub-signature-256']);
      if (!check.valid) {
        received.push({ check: check.reason });
        res.writeHead(401).end(check.message);
        return;
      }
      const d = parseWorkflowJobEvent(req.headers, raw);
      received.push({ check: 'valid', kind: d.kind, ua: req.headers['user-agent'] });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
  try {
    const ok = await deliverWebhook(url, 'workflow_job', workflowJobDelivery('completed'), SECRET);
    const wrong = await deliverWebhook(url, 'workflow_job', workflowJobDelivery('completed'), 'not the secret');
    const unsigned = await deliverWebhook(url, 'workflow_job', workflowJobDelivery('completed'), SECRET, { signature: null });
    assert.deepEqual([ok.status, wrong.status, unsigned.status], [202, 401, 401]);
    assert.deepEqual(received.map((r) => r.check), ['valid', 'mismatch', 'missing-header']);
    assert.equal(received[0].kind, 'workflow_job');
    assert.match(received[0].ua ?? '', /^GitHub-Hookshot\//);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { MAX_BODY_BYTES } from '../../src/server/body-limit.js';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent, RefusedUpgrade } from '../support/agent-client.js';
import { deliverWebhook, workflowJobDelivery } from '../support/fake-github.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestServer, TOKENS, WEBHOOK_SECRET, type TestServer } from './harness.js';

const ENQUEUE = '/api/v1/environments/production/lock/enqueue';

function head(t: TestServer, method: string, path: string, headers: Record<string, string | number>): string {
  const host = new URL(t.url).host;
  return [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
}

async function assertServing(t: TestServer): Promise<void> {
  const res = await fetch(`${t.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { ok: boolean }).ok, true);
}

async function lockRows(t: TestServer) {
  return t.store.lockStatus('production', Date.now());
}

test('a Content-Length over 1 MiB is answered 413 JSON before the body is sent, and nothing is stored', async () => {
  const t = await startTestServer();
  try {
    const before = await lockRows(t);
    // Announce 64 MiB but send only 1 KiB: the answer can only come from the header.
    const res = await rawRequest(
      t.url,
      head(t, 'POST', ENQUEUE, { authorization: `Bearer ${TOKENS.deployer}`, 'content-type': 'application/json', 'content-length': 64 * MAX_BODY_BYTES }),
      Buffer.alloc(1024, 0x20),
    );
    assert.equal(res.status, 413);
    assert.match(res.headers['content-type'], /application\/json/);
    assert.equal(JSON.parse(res.body).error.code, 'too-large');
    assert.match(JSON.parse(res.body).error.message, /1048576 bytes/);
    assert.deepEqual(await lockRows(t), before);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('a chunked body that grows past 1 MiB is refused with 413 JSON while it is still being sent', async () => {
  const t = await startTestServer();
  try {
    const { hostname, port } = new URL(t.url);
    const answer = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, method: 'POST', path: ENQUEUE, headers: { authorization: `Bearer ${TOKENS.deployer}`, 'content-type': 'application/json' } });
      let sent = 0;
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // Bounded: at most 16 MiB, stopping as soon as the server answers.
        while (!answered && sent < 16 * MAX_BODY_BYTES) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      req.on('response', (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), sent }));
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      pump();
    });
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.body).error.code, 'too-large');
    assert.ok(answer.sent < 16 * MAX_BODY_BYTES, `the client sent all ${answer.sent} bytes before the answer`);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('a webhook delivery over 1 MiB is refused with 413 before its signature is checked', async () => {
  const t = await startTestServer();
  try {
    const payload = { ...workflowJobDelivery('queued'), padding: 'x'.repeat(MAX_BODY_BYTES) };
    const res = await deliverWebhook(`${t.url}/api/v1/github/webhook`, 'workflow_job', payload, WEBHOOK_SECRET);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).error.code, 'too-large');
    const metrics = await t.server.metrics.render();
    assert.doesNotMatch(metrics.body, /pitcrew_webhooks_received_total\{[^}]*\} [1-9]/);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('malformed JSON bodies are 400 bad-json naming what is wrong, without quoting the body', async () => {
  const t = await startTestServer();
  try {
    const cases: Array<[string, RegExp]> = [
      ['{"runner": "primary"', /expected ',' or '}' after property value at character 20|at character 20/],
      ['{"runner": primary}', /an unexpected character/],
      ['{"runner": "primary"} trailing', /unexpected text after the JSON value at character 22/],
      ['', /body: empty/],
      ['[1, 2]', /got an array/],
      ['"primary"', /got string/],
      ['{"runner": "prim', /unterminated string at character 16/],
    ];
    for (const [body, message] of cases) {
      const res = await fetch(`${t.url}${ENQUEUE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.deployer}`, 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 400, body);
      const json = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(json.error.code, 'bad-json', body);
      assert.match(json.error.message, message, `${body} -> ${json.error.message}`);
      assert.ok(!json.error.message.includes('primary'), `the message quotes the body: ${json.error.message}`);
    }
    assert.equal((await lockRows(t)).queue.length, 0);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('a JSON body cut short inside a string is 400 bad-json and stores nothing', async () => {
  const t = await startTestServer();
  try {
    const body = JSON.stringify({ runner: 'primary' });
    const res = await rawRequest(
      t.url,
      head(t, 'POST', ENQUEUE, { authorization: `Bearer ${TOKENS.deployer}`, 'content-type': 'application/json', 'content-length': body.length, connection: 'close' }),
      body.slice(0, body.length - 3) + 'xyz',
    );
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).error.code, 'bad-json');
    assert.equal((await lockRows(t)).queue.length, 0);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('the agent stream of a runner not in the configuration is refused with 404 unknown-runner and nothing is stored', async () => {
  const t = await startTestServer();
  try {
    const refused = await TestAgent.connect(t.url, 'ghost', TOKENS.agent).then(
      () => assert.fail('the upgrade was accepted'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof RefusedUpgrade);
    assert.equal(refused.status, 404);
    assert.equal(JSON.parse(refused.body).error.code, 'unknown-runner');
    assert.deepEqual((await t.store.listRunners()).map((r) => r.name).sort(), ['primary', 'secondary', 'stager']);
    assert.deepEqual(await t.store.runnerStateHistory('ghost', 0), []);
    await t.server.fleet.flush();
    assert.equal(t.server.fleet.view('ghost'), undefined);
    await assertServing(t);
  } finally {
    await t.dispose();
  }
});

test('a token that is not configured is 401 on HTTP and on the agent stream', async () => {
  const t = await startTestServer();
  try {
    const res = await fetch(`${t.url}${ENQUEUE}`, { method: 'POST', headers: { authorization: 'Bearer revoked-token', 'content-type': 'application/json' }, body: '{"runner":"primary"}' });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthenticated');
    const refused = await TestAgent.connect(t.url, 'primary', 'revoked-token').catch((err: unknown) => err);
    assert.ok(refused instanceof RefusedUpgrade);
    assert.equal(refused.status, 401);
    assert.equal(JSON.parse(refused.body).error.code, 'unauthenticated');
    assert.equal((await lockRows(t)).queue.length, 0);
  } finally {
    await t.dispose();
  }
});

test('an agent frame over 1 MiB closes that connection with 1009; the server keeps serving and the runner goes offline', async () => {
  const t = await startTestServer();
  try {
    const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    agent.hello();
    assert.equal((await agent.heartbeat(heartbeat())).type, 'ack');
    agent.sendRaw(JSON.stringify({ type: 'heartbeat', seq: 2, sentAt: Date.now(), probes: [], pad: 'x'.repeat(MAX_BODY_BYTES) }));
    const closed = await agent.closed;
    assert.equal(closed.code, 1009);
    await assertServing(t);
    assert.equal(t.server.fleet.view('primary')?.connected, false);
    assert.equal(t.server.fleet.view('primary')?.state, 'offline');
    const again = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    assert.equal((await again.heartbeat(heartbeat())).type, 'ack');
    await again.close();
  } finally {
    await t.dispose();
  }
});

test('malformed agent frames are answered with an error frame and change nothing', async () => {
  const t = await startTestServer();
  try {
    const agent = await TestAgent.connect(t.url, 'primary', TOKENS.agent);
    for (const frame of ['not json', '[]', '{"type":"heartbeat","seq":"x"}', '{"type":"heartbeat","seq":1,"sentAt":1,"probes":[{"ok":1}]}']) agent.sendRaw(frame);
    await agent.next((f) => f.type === 'error' && agent.frames.filter((g) => g.type === 'error').length === 4);
    assert.equal(t.server.fleet.view('primary')?.lastHeartbeatAt, null);
    assert.equal(agent.frames.some((f) => f.type === 'ack'), false);
    await agent.close();
  } finally {
    await t.dispose();
  }
});

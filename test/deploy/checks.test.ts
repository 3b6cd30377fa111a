import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Check } from '../../src/config/index.js';
import { checkRunnerFor, expandUrl, runCheck, runChecks, type CheckTarget } from '../../src/deploy/checks/index.js';
import type { RunOptions, RunResult, TargetSession } from '../../src/deploy/transports/transport.js';

const noSleep = async () => undefined;

function session(result: Partial<RunResult>): TargetSession & { runs: string[] } {
  const runs: string[] = [];
  const r: RunResult = { exitCode: 0, signal: null, timedOut: false, stdoutTail: '', stderrTail: '', ...result };
  const unused = async () => {
    throw new Error('not used by checks');
  };
  return {
    target: 'web-1', runs,
    run: async (command: string, _o: RunOptions) => {
      runs.push(command);
      return r;
    },
    inspect: unused, stage: unused, switchTo: unused, prune: unused, markRelease: unused, close: async () => undefined,
  };
}

const target = (s: TargetSession = session({})): CheckTarget => ({ name: 'web-1', host: '127.0.0.1', session: s });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function http(port: number, extra: Partial<Check> = {}): Check {
  return { kind: 'http', url: `http://{host}:${port}/health`, method: 'GET', expectStatus: 200, timeout: 2000, retries: 0, interval: 1, ...extra } as Check;
}

test('an http check passes on the expected status and body, with {host} replaced by the target host', async () => {
  const { server, port } = await listen((req, res) => res.end(req.url === '/health' ? 'status: ready' : 'nope'));
  try {
    const r = await runCheck(http(port, { expectBody: 'ready' } as Partial<Check>), target(), { sleep: noSleep });
    assert.deepEqual([r.status, r.attempts], ['ok', 1]);
    assert.match(r.detail, new RegExp(`http://127.0.0.1:${port}/health answered 200`));
  } finally {
    server.close();
  }
});

test('an http check fails on a wrong status and on a body without the expected text, after every retry', async () => {
  let calls = 0;
  const { server, port } = await listen((_req, res) => {
    calls++;
    res.statusCode = calls > 3 ? 200 : 503;
    res.end('starting');
  });
  try {
    const wrong = await runCheck(http(port, { retries: 2 } as Partial<Check>), target(), { sleep: noSleep });
    assert.deepEqual([wrong.status, wrong.attempts], ['failed', 3]);
    assert.match(wrong.detail, /answered 503, expected 200 \(after 3 attempts\)/);
    const body = await runCheck(http(port, { expectBody: 'ready' } as Partial<Check>), target(), { sleep: noSleep });
    assert.equal(body.status, 'failed');
    assert.match(body.detail, /without "ready" in its body/);
  } finally {
    server.close();
  }
});

test('an http check that cannot connect is a failure, never a pass ("no data" fails)', async () => {
  const { server, port } = await listen(() => undefined);
  server.close();
  const r = await runCheck(http(port, { retries: 1 } as Partial<Check>), target(), { sleep: noSleep });
  assert.deepEqual([r.status, r.attempts], ['failed', 2]);
  assert.match(r.detail, /ECONNREFUSED/);
});

test('an http check whose server never answers times out as a failure', async () => {
  const { server, port } = await listen(() => undefined);
  try {
    const r = await runCheck(http(port, { timeout: 100 } as Partial<Check>), target(), { sleep: noSleep });
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /no answer within 100 ms/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a command check passes on exit 0 and fails on a non-zero exit, a timeout or a signal', async () => {
  const cmd = { kind: 'command', run: 'curl -fsS localhost/health', timeout: 1000, retries: 0, interval: 1 } as Check;
  assert.equal((await runCheck(cmd, target(session({ exitCode: 0, stdoutTail: 'ok\n' })))).status, 'ok');
  const failed = await runCheck(cmd, target(session({ exitCode: 7, stderrTail: 'connection refused\n' })));
  assert.match(failed.detail, /exit 7: connection refused/);
  const silent = await runCheck(cmd, target(session({ exitCode: null, timedOut: true })));
  assert.deepEqual([silent.status, silent.detail], ['failed', 'no result within 1000 ms (no output) (after 1 attempt)']);
  const killed = await runCheck(cmd, target(session({ exitCode: null, signal: 'SIGKILL' })));
  assert.match(killed.detail, /killed by SIGKILL/);
});

test('a tcp check passes when something listens and fails when nothing does', async () => {
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const check = { kind: 'tcp', port, timeout: 1000, retries: 0, interval: 1 } as Check;
  assert.equal((await runCheck(check, target())).status, 'ok');
  server.close();
  const closed = await runCheck(check, target());
  assert.equal(closed.status, 'failed');
  assert.match(closed.detail, new RegExp(`127.0.0.1:${port}: ECONNREFUSED`));
});

test('after a failed check the later checks on that target are not run', async () => {
  const fail = { kind: 'command', run: 'false', timeout: 1000, retries: 0, interval: 1 } as Check;
  const later = { kind: 'command', name: 'later', run: 'true', timeout: 1000, retries: 0, interval: 1 } as Check;
  const s = session({ exitCode: 1 });
  const results = await runChecks([fail, later], target(s));
  assert.deepEqual(results.map((r) => r.status), ['failed', 'not-run']);
  assert.deepEqual(s.runs, ['false']);
});

test('an unknown check kind is answered with the valid kinds', () => {
  assert.throws(() => checkRunnerFor('ping'), /unknown check kind "ping"; valid kinds: command, http, tcp/);
});

test('{host} in an http url takes the target host, bracketed for IPv6', () => {
  assert.equal(expandUrl('http://{host}:3000/health', 'web1.internal'), 'http://web1.internal:3000/health');
  assert.equal(expandUrl('http://{host}:3000/', '::1'), 'http://[::1]:3000/');
});

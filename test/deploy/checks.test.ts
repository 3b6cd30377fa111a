import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Check } from '../../src/config/index.js';
import {
  checkRunnerFor, describeResult, expandUrl, runCheck, runChecks, type AttemptOutcome, type CheckRunner, type CheckTarget,
} from '../../src/deploy/checks/index.js';
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
    inspect: unused, stage: unused, switchTo: unused, prune: unused, markRelease: unused, markAndPrune: unused, close: async () => undefined,
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
    assert.deepEqual([r.status, r.attempts], ['passed', 1]);
    assert.match(r.detail, new RegExp(`http://127.0.0.1:${port}/health answered 200 with "ready" in its body`));
  } finally {
    server.close();
  }
});

test('an http check with a wrong status or a body without the expected text has failed, after every retry', async () => {
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

test('an http check that cannot connect is inconclusive, never a pass ("no data")', async () => {
  const { server, port } = await listen(() => undefined);
  server.close();
  const r = await runCheck(http(port, { retries: 1 } as Partial<Check>), target(), { sleep: noSleep });
  assert.deepEqual([r.status, r.attempts], ['inconclusive', 2]);
  assert.match(r.detail, /ECONNREFUSED \(after 2 attempts\)$/);
});

test('an http check whose server never answers, or resets the connection, is inconclusive', async () => {
  const { server, port } = await listen(() => undefined);
  try {
    const r = await runCheck(http(port, { timeout: 100 } as Partial<Check>), target(), { sleep: noSleep });
    assert.equal(r.status, 'inconclusive');
    assert.match(r.detail, /no answer within 100 ms/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
  const reset = await listen((req) => req.socket.destroy());
  try {
    const r = await runCheck(http(reset.port), target(), { sleep: noSleep });
    assert.equal(r.status, 'inconclusive');
    assert.match(r.detail, /ECONNRESET|other side closed|socket/i);
  } finally {
    reset.server.close();
  }
});

test('an http check answered with an empty body where a text is expected is inconclusive', async () => {
  const { server, port } = await listen((_req, res) => res.end());
  try {
    const r = await runCheck(http(port, { expectBody: 'ready' } as Partial<Check>), target(), { sleep: noSleep });
    assert.equal(r.status, 'inconclusive');
    assert.match(r.detail, /answered 200 with an empty body; expected "ready" in it/);
    const noBodyAsked = await runCheck(http(port), target(), { sleep: noSleep });
    assert.equal(noBodyAsked.status, 'passed');
  } finally {
    server.close();
  }
});

test('a command check passes on exit 0, has failed on a non-zero exit, and is inconclusive on a timeout, a signal or a command that cannot run', async () => {
  const cmd = { kind: 'command', run: 'curl -fsS localhost/health', timeout: 1000, retries: 0, interval: 1 } as Check;
  assert.equal((await runCheck(cmd, target(session({ exitCode: 0, stdoutTail: 'ok\n' })))).status, 'passed');
  const failed = await runCheck(cmd, target(session({ exitCode: 7, stderrTail: 'connection refused\n' })));
  assert.deepEqual([failed.status, failed.detail], ['failed', 'exit 7: connection refused (after 1 attempt)']);
  const silent = await runCheck(cmd, target(session({ exitCode: null, signal: 'SIGTERM', timedOut: true })));
  assert.deepEqual([silent.status, silent.detail], ['inconclusive', 'no result within 1000 ms (no output) (after 1 attempt)']);
  const killed = await runCheck(cmd, target(session({ exitCode: null, signal: 'SIGKILL' })));
  assert.equal(killed.status, 'inconclusive');
  assert.match(killed.detail, /killed by SIGKILL/);
  const broken = session({});
  broken.run = async () => {
    throw new Error('the ssh connection was lost while a command ran');
  };
  const lost = await runCheck(cmd, target(broken));
  assert.equal(lost.status, 'inconclusive');
  assert.match(lost.detail, /could not run: the ssh connection was lost/);
});

test('a command check with expectOutput has failed on other output and is inconclusive on no output', async () => {
  const cmd = { kind: 'command', run: 'cat VERSION', expectOutput: '2.0.0', timeout: 1000, retries: 0, interval: 1 } as Check;
  assert.equal((await runCheck(cmd, target(session({ stdoutTail: 'version 2.0.0\n' })))).status, 'passed');
  const other = await runCheck(cmd, target(session({ stdoutTail: 'version 1.9.0\n' })));
  assert.deepEqual([other.status, other.detail], ['failed', 'exit 0 without "2.0.0" in its output: version 1.9.0 (after 1 attempt)']);
  const empty = await runCheck(cmd, target(session({ stdoutTail: '' })));
  assert.equal(empty.status, 'inconclusive');
  assert.match(empty.detail, /exit 0 with no output; expected "2\.0\.0" in it/);
});

test('a tcp check passes when something listens and is inconclusive when nothing does', async () => {
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const check = { kind: 'tcp', port, timeout: 1000, retries: 0, interval: 1 } as Check;
  assert.equal((await runCheck(check, target())).status, 'passed');
  server.close();
  const closed = await runCheck(check, target());
  assert.equal(closed.status, 'inconclusive');
  assert.match(closed.detail, new RegExp(`127.0.0.1:${port}: ECONNREFUSED`));
});

/** A check kind whose attempts answer `outcomes` in order. */
function scripted(outcomes: AttemptOutcome[]): { registry: Map<string, CheckRunner>; calls: () => number } {
  let i = 0;
  const registry = new Map<string, CheckRunner>([['command', async () => {
    const outcome = outcomes[Math.min(i, outcomes.length - 1)];
    i++;
    return { outcome, detail: `attempt ${i} ${outcome}` };
  }]]);
  return { registry, calls: () => i };
}

test('retries go on after failed and inconclusive attempts alike; the outcome is the last attempt\'s', async () => {
  const check = { kind: 'command', run: 'x', timeout: 1000, retries: 2, interval: 1 } as Check;
  const cases: Array<[AttemptOutcome[], string, number]> = [
    [['inconclusive', 'failed', 'failed'], 'failed', 3],
    [['failed', 'failed', 'inconclusive'], 'inconclusive', 3],
    [['inconclusive', 'failed', 'passed'], 'passed', 3],
    [['failed', 'passed'], 'passed', 2],
  ];
  for (const [outcomes, status, attempts] of cases) {
    const s = scripted(outcomes);
    const r = await runCheck(check, target(), { sleep: noSleep }, s.registry);
    assert.deepEqual([r.status, r.attempts, s.calls()], [status, attempts, attempts], outcomes.join(','));
    assert.ok(r.detail.startsWith(`attempt ${attempts} ${status}`), r.detail);
  }
});

test('a check attempt that throws is inconclusive, and a check interrupted before its first attempt did not run', async () => {
  const check = { kind: 'command', run: 'x', timeout: 1000, retries: 0, interval: 1 } as Check;
  const throwing = new Map<string, CheckRunner>([['command', async () => {
    throw new Error('kind exploded');
  }]]);
  const r = await runCheck(check, target(), { sleep: noSleep }, throwing);
  assert.deepEqual([r.status, r.detail], ['inconclusive', 'kind exploded (after 1 attempt)']);
  const aborted = await runCheck(check, target(), { signal: AbortSignal.abort() });
  assert.deepEqual([aborted.status, aborted.attempts], ['not-run', 0]);
});

test('a check result carries its duration, from the first attempt to the last, pauses included', async () => {
  let clock = 1000;
  const s = scripted(['inconclusive', 'inconclusive', 'failed']);
  const timed = new Map<string, CheckRunner>([['command', async (...args) => {
    clock += 30;
    return s.registry.get('command')!(...args);
  }]]);
  const check = { kind: 'command', run: 'x', timeout: 1000, retries: 2, interval: 500 } as Check;
  const r = await runCheck(check, target(), { now: () => clock, sleep: async (ms) => void (clock += ms) }, timed);
  assert.deepEqual([r.status, r.attempts, r.durationMs], ['failed', 3, 3 * 30 + 2 * 500]);
  assert.match(describeResult(r), /^command "x": failed after 3 attempts in 1\.1 s \(attempt 3 failed \(after 3 attempts\)\)$/);
});

test('after a check that did not pass, the later checks on that target are not run', async () => {
  const fail = { kind: 'command', run: 'false', timeout: 1000, retries: 0, interval: 1 } as Check;
  const later = { kind: 'command', name: 'later', run: 'true', timeout: 1000, retries: 0, interval: 1 } as Check;
  const s = session({ exitCode: 1 });
  const results = await runChecks([fail, later], target(s));
  assert.deepEqual(results.map((r) => [r.status, r.detail]), [['failed', 'exit 1 (no output) (after 1 attempt)'], ['not-run', 'an earlier check was failed']]);
  assert.deepEqual(s.runs, ['false']);
  const t = session({ exitCode: null, timedOut: true });
  assert.deepEqual((await runChecks([fail, later], target(t))).map((r) => r.status), ['inconclusive', 'not-run']);
});

test('an unknown check kind is answered with the valid kinds', () => {
  assert.throws(() => checkRunnerFor('ping'), /unknown check kind "ping"; valid kinds: command, http, tcp/);
});

test('{host} in an http url takes the target host, bracketed for IPv6', () => {
  assert.equal(expandUrl('http://{host}:3000/health', 'web1.internal'), 'http://web1.internal:3000/health');
  assert.equal(expandUrl('http://{host}:3000/', '::1'), 'http://[::1]:3000/');
});

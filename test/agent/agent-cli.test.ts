import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { FakeServer } from '../support/fake-server.js';
import { pollUntil } from './poll.js';
import { runnerPidFile, tempDir } from './agent-helpers.js';

// dist/test/agent -> the package root, where bin/pitcrew.js runs the CLI bundle (dist/bundle/cli).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('pitcrew agent runs as a process, serves metrics, and stops cleanly with exit 0 on SIGTERM', async (t) => {
  const server = await FakeServer.start({ runners: ['r1'] });
  t.after(() => server.stop());
  const dir = tempDir(t);
  const { pidFile } = runnerPidFile(t, dir);
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'pitcrew.js'), 'agent', '--server', server.url, '--runner', 'r1', '--listen', '127.0.0.1:0', '--pid-file', pidFile, '--work-dir', dir, '--interval', '200ms'],
    { env: { ...process.env, PITCREW_TOKEN: 'agent-token' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    child.kill('SIGKILL');
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));

  const address = await pollUntil(() => /serving metrics and status address=([\d.]+:\d+)/.exec(stderr)?.[1], 'the listen address in the log', 15_000);
  await pollUntil(() => server.ofType('heartbeat').length >= 2, 'heartbeats from the process', 15_000);
  const metrics = await (await fetch(`http://${address}/metrics`)).text();
  assert.match(metrics, /^pitcrew_runner_up 1$/m);

  child.kill('SIGTERM');
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
  assert.deepEqual(server.closeCodes, [1000]);
  assert.match(stderr, /^pitcrew agent: stopping signal=SIGTERM$/m);
  assert.match(stderr, /^pitcrew agent: connected to the server url="ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/agent\/stream\?runner=r1"$/m);
  assert.equal(stdout, '');
  assert.doesNotMatch(stderr, /agent-token/);
  await assert.rejects(fetch(`http://${address}/status`), 'the HTTP listener is closed');
});

test('pitcrew agent refuses to start without a server, a token or a runner name, with a hint', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['agent', '--runner', 'r1'], { PITCREW_TOKEN: 't' }, /no server to report to\nhint: pass --server URL or set \$PITCREW_SERVER/],
    [['agent', '--runner', 'r1', '--server', 'http://127.0.0.1:1'], {}, /no token for the server\nhint: pass --token/],
    [['agent', '--server', 'http://127.0.0.1:1', '--token', 't'], {}, /no runner name/],
    [['agent', '--runner', 'r1', '--server', 'http://127.0.0.1:1', '--token', 't', '--service', 'a', '--pid-file', 'b'], {}, /--service and --pid-file both given/],
    [['agent', '--runner', 'r1', '--server', 'http://127.0.0.1:1', '--token', 't', '--listen', 'nowhere'], {}, /--listen "nowhere" is not HOST:PORT/],
    [['agent', '--runner', 'r1', '--server', 'http://127.0.0.1:1', '--token', 't', '--interval', 'often'], {}, /not a duration: "often"/],
  ];
  for (const [argv, env, message] of cases) {
    const io = memoryIo();
    assert.equal(await main(argv, env, io), 2, argv.join(' '));
    assert.match(io.err(), message);
  }
});

test('pitcrew agent exits 2 naming the address when the listen port is taken', async (t) => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => taken.close(() => r())));
  const port = (taken.address() as net.AddressInfo).port;
  const io = memoryIo();
  const code = await main(['agent', '--runner', 'r1', '--server', 'http://127.0.0.1:1', '--token', 't', '--work-dir', tempDir(t), '--listen', `127.0.0.1:${port}`], {}, io);
  assert.equal(code, 2);
  assert.match(io.err(), new RegExp(`pitcrew: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE\nhint: another process uses 127\\.0\\.0\\.1:${port}; pick another with --listen`));
});

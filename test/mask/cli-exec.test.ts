import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { loggedIo, until } from './cli-helpers.js';

const S = 'exec-secret-value-42';
const BIN = fileURLToPath(new URL('../../../bin/pitcrew.js', import.meta.url));

test('masks the command stdout and stderr and exits with its exit code', async () => {
  const io = memoryIo();
  const code = await main(['exec', '--secret-env', 'S', '--', 'sh', '-c', 'echo "out $S"; echo "err $S" >&2; printf %s "$S" | base64; exit 7'], { S, PATH: process.env.PATH }, io);
  assert.equal(code, 7);
  assert.equal(io.out(), 'out ***\n***\n');
  assert.equal(io.err(), 'err ***\n');
});

test('keeps the order of stdout and stderr lines as the command wrote them', async () => {
  const io = loggedIo();
  const script = 'read a; echo "one $S"; read a; echo "two $S" >&2; read a; echo three';
  const done = main(['exec', '--secret-env', 'S', '--', 'sh', '-c', script], { S, PATH: process.env.PATH }, io);
  io.stdinFeed.write('go\n');
  await until(() => io.out().includes('one'), 'line one');
  io.stdinFeed.write('go\n');
  await until(() => io.err().includes('two'), 'line two');
  io.stdinFeed.write('go\n');
  io.stdinFeed.end();
  assert.equal(await done, 0);
  assert.deepEqual(
    io.log.map((l) => `${l.stream}:${l.text}`),
    ['out:one ***\n', 'err:two ***\n', 'out:three\n'],
  );
});

test('a command killed by a signal gives 128+signal', async () => {
  assert.equal(await main(['exec', '--', 'sh', '-c', 'kill -TERM $$'], { PATH: process.env.PATH }, memoryIo()), 143);
  assert.equal(await main(['exec', '--', 'sh', '-c', 'kill -KILL $$'], { PATH: process.env.PATH }, memoryIo()), 137);
});

test('a command that does not exist exits 127 with a message naming it', async () => {
  const io = memoryIo();
  assert.equal(await main(['exec', '--', 'no-such-command-xyz'], { PATH: process.env.PATH }, io), 127);
  assert.match(io.err(), /cannot run no-such-command-xyz: command not found/);
});

for (const [signal, trapped, exit] of [
  ['SIGTERM', 'TERM', 5],
  ['SIGINT', 'INT', 6],
] as const) {
  test(`forwards ${signal} to the command and exits with its code`, async () => {
    const script = `trap 'echo "got ${trapped} $S"; exit ${exit}' ${trapped}; echo ready; while :; do sleep 0.05; done`;
    const child = spawn(process.execPath, [BIN, 'exec', '--secret-env', 'S', '--', 'sh', '-c', script], {
      env: { ...process.env, S },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until(() => out.includes('ready'), 'the command to start');
    child.kill(signal);
    assert.equal(await exited, exit);
    assert.equal(out, `ready\ngot ${trapped} ***\n`);
  });
}

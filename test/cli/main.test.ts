import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { packageVersion } from '../../src/version.js';

test('--version prints the package version and exits 0', async () => {
  const io = memoryIo();
  const code = await main(['--version'], {}, io);
  assert.equal(code, 0);
  assert.equal(io.out().trim(), packageVersion());
  assert.match(packageVersion(), /^\d+\.\d+\.\d+/);
});

test('--help lists the exit codes', async () => {
  const io = memoryIo();
  const code = await main(['--help'], {}, io);
  assert.equal(code, 0);
  assert.match(io.out(), /Exit codes:/);
  assert.match(io.out(), /4 {2}a human is needed/);
});

test('an unknown command is a usage error (exit 2)', async () => {
  const io = memoryIo();
  const code = await main(['no-such-command'], {}, io);
  assert.equal(code, 2);
  assert.match(io.err(), /error:/);
});

test('a command line loads only the modules of the command it names', async () => {
  const { commandsFor, commands } = await import('../../src/cli/commands/index.js');
  assert.deepEqual(commandsFor(['hook', 'job-started']).map((c) => c.name), ['hook']);
  assert.deepEqual(commandsFor(['--config', 'hook', 'agent', 'install']).map((c) => c.name), ['agent', 'agent']);
  assert.equal(commandsFor(['--help']).length, commands.length);
  assert.equal(commandsFor(['no-such-command']).length, commands.length);
  assert.deepEqual(commandsFor(['--version']), []);
});

test('--help lists every registered command', async () => {
  const { commands } = await import('../../src/cli/commands/index.js');
  const io = memoryIo();
  assert.equal(await main(['--help'], {}, io), 0);
  for (const name of new Set(commands.map((c) => c.name))) assert.match(io.out(), new RegExp(`^  ${name}\\b`, 'm'), name);
});

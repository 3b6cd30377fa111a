import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { commandOf, GLOBAL_OPTIONS_WITH_VALUE } from '../../src/cli/command-of.js';
import { globalOptions } from '../../src/cli/program.js';

test('the command is the first argument that is not a global option or its value', () => {
  assert.equal(commandOf(['agent', '--runner', 'primary']), 'agent');
  assert.equal(commandOf(['--server', 'http://127.0.0.1:8080', '--token', 'agent', '--json', 'agent']), 'agent');
  assert.equal(commandOf(['--config', 'agent.yml', 'server']), 'server');
  assert.equal(commandOf(['--server=http://x', 'agent']), 'agent');
  assert.equal(commandOf(['--json']), undefined);
  assert.equal(commandOf([]), undefined);
});

test('the global options that take a value are those of the program', () => {
  const program = globalOptions(new Command());
  const withValue = program.options.filter((o) => o.required || o.optional).map((o) => o.long);
  assert.deepEqual([...withValue].sort(), [...GLOBAL_OPTIONS_WITH_VALUE].sort());
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportFor, transports } from '../../src/deploy/transports/registry.js';
import { UsageError } from '../../src/errors.js';

test('the registry hands out the local transport by kind', () => {
  assert.equal(transportFor('local').kind, 'local');
  assert.ok(transports.has('local'));
});

test('an unknown transport is answered with the list of valid ones', () => {
  assert.throws(() => transportFor('ftp', 'environments.prod.transport'), (err: unknown) =>
    err instanceof UsageError && err.code === 'transport.unknown'
    && err.message === 'environments.prod.transport: unknown transport "ftp"; valid transports: local, ssh');
});

test('the local transport needs an absolute folder', async () => {
  await assert.rejects(transportFor('local').open({ name: 'web-1' }), /target web-1: the local transport needs `folder`/);
  await assert.rejects(transportFor('local').open({ name: 'web-1', folder: 'rel/path' }), /folder "rel\/path" must be an absolute path/);
});

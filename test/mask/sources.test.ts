import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretMasker } from '../../src/mask/masker.js';
import { registerEnvSecrets, registerSecretsFile, tokenFromArgv } from '../../src/mask/sources.js';
import { UsageError } from '../../src/errors.js';

test('a secrets file registers plain lines, KEY=value values and quoted values; comments are skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-secrets-'));
  writeFileSync(join(dir, 's.env'), '# comment-line\nplain-secret-1\r\nDB_PASSWORD=db-pass-123\nexport API="quoted-key-9"\n\nabc\n');
  const m = new SecretMasker();
  registerSecretsFile(m, 's.env', dir);
  assert.equal(m.mask('plain-secret-1 db-pass-123 quoted-key-9 comment-line'), '*** *** *** comment-line');
  assert.equal(m.warnings.length, 1);
  assert.match(m.warnings[0], /s\.env:6/);
  assert.ok(!m.warnings[0].includes('abc'));
});

test('a missing secrets file is a usage error naming the path', () => {
  const m = new SecretMasker();
  assert.throws(() => registerSecretsFile(m, 'nope.env', '/nonexistent-dir'), (err: unknown) => err instanceof UsageError && /\/nonexistent-dir\/nope\.env/.test(err.message));
});

test('--secret-env names an unset variable: a warning, no value', () => {
  const m = new SecretMasker();
  registerEnvSecrets(m, { SET_ONE: 'value-of-set-one' }, ['SET_ONE', 'MISSING_ONE'], true);
  assert.equal(m.mask('value-of-set-one'), '***');
  assert.equal(m.warnings.length, 1);
  assert.match(m.warnings[0], /MISSING_ONE.*not set/);
});

test('--token is found in argv in both spellings, and not after --', () => {
  assert.equal(tokenFromArgv(['status', '--token', 'tok-123']), 'tok-123');
  assert.equal(tokenFromArgv(['--token=tok-456', 'status']), 'tok-456');
  assert.equal(tokenFromArgv(['exec', '--', 'x', '--token', 'nope']), undefined);
});

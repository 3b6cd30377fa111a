import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReleaseId, parseReleaseId, releaseIdFor, validateVersion } from '../../src/deploy/release-id.js';
import { UsageError } from '../../src/errors.js';

const DIGEST = '0123456789abcdef'.repeat(4);

test('a release id is the version and the first 12 hex of the digest', () => {
  assert.equal(releaseIdFor('1.4.2', DIGEST), '1.4.2-0123456789ab');
  assert.equal(releaseIdFor('v2.0.0+build.7', DIGEST.toUpperCase()), 'v2.0.0+build.7-0123456789ab');
  assert.deepEqual(parseReleaseId('1.4.2-rc.1-0123456789ab'), { version: '1.4.2-rc.1', digestPrefix: '0123456789ab' });
  assert.equal(isReleaseId('1.4.2-0123456789ab.tmp-abc'), false);
  assert.equal(isReleaseId('../x-0123456789ab'), false);
});

for (const [version, problem] of [
  ['', 'it is empty'],
  ['1.0/evil', 'it contains "/"'],
  ['1..0', 'it contains ".."'],
  ['1.0 beta', 'it contains whitespace'],
  ['1.0\u0007', 'it contains a control character'],
  ['1.0$(id)', 'only letters, digits and . _ + ~ - are allowed'],
  ['-rf', 'it must start with a letter or a digit'],
  ['.hidden', 'it must start with a letter or a digit'],
  ['9'.repeat(65), 'it is longer than 64 characters'],
] as const) {
  test(`refuses version ${JSON.stringify(version).slice(0, 20)}: ${problem}`, () => {
    assert.throws(() => validateVersion(version), (err: unknown) =>
      err instanceof UsageError && err.code === 'release.version-invalid' && err.exitCode === 2 && err.message.endsWith(problem));
  });
}

test('refuses a digest that is not 64 hex digits', () => {
  assert.throws(() => releaseIdFor('1.0.0', 'abc'), /sha256 "abc" is not 64 hexadecimal digits/);
});

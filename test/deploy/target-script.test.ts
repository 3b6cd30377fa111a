import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote, targetScripts } from '../../src/deploy/transports/target-script.js';
import {
  CURRENT_LINK, FENCE_FILE, LOCK_FILE, RELEASE_MARK_FILE, RELEASE_META_FILE, RELEASES_DIR, SHARED_DIR, TEMP_INFIX,
} from '../../src/deploy/layout.js';

test('shellQuote keeps any word intact through sh, quotes and $ included', () => {
  for (const word of ["it's", '$(id) `id` $HOME', 'a b\nc', '', "'", '\\']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }), word);
  }
});

test('target scripts carry values as arguments, never in their text', () => {
  const s = targetScripts.stage('/srv/app', '1.0.0-0123456789ab', '/tmp/a b.tar.gz', 'f'.repeat(64), 'abc', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)));
  assert.deepEqual(s.args, ['/srv/app', '1.0.0-0123456789ab', '/tmp/a b.tar.gz', 'f'.repeat(64), 'abc', '2026-01-02T03:04:05Z']);
  assert.ok(!s.text.includes('/srv/app') && !s.text.includes('a b.tar.gz'));
  assert.ok(!s.text.includes('\\${'), 'escaped parameter expansions are turned back into ${');
});

test('the scripts use the names layout.ts documents', () => {
  const all = [
    targetScripts.inspect('/r'), targetScripts.stage('/r', 'x', 'a', 'b', 'c', new Date()), targetScripts.switchTo('/r', 'x', 1, 's'),
    targetScripts.mark('/r', 'x', 'good'), targetScripts.remove('/r', []),
  ].map((s) => s.text).join('\n');
  for (const name of [FENCE_FILE, LOCK_FILE, RELEASE_META_FILE, RELEASE_MARK_FILE, `${CURRENT_LINK}${TEMP_INFIX}`, `"$P"/${RELEASES_DIR}/`, `$P/${SHARED_DIR}`]) {
    assert.ok(all.includes(name), `scripts mention ${name}`);
  }
});

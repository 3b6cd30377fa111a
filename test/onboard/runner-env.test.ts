import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setEnvKeys } from '../../src/onboard/runner-env.js';

const HOOKS = [
  ['ACTIONS_RUNNER_HOOK_JOB_STARTED', '/opt/pitcrew/hooks/job-started.sh'],
  ['ACTIONS_RUNNER_HOOK_JOB_COMPLETED', '/opt/pitcrew/hooks/job-completed.sh'],
] as const;

test('a key already set to the wanted value leaves the file byte for byte as it was', () => {
  const text = 'A=1\r\nACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/pitcrew/hooks/job-started.sh\r\nACTIONS_RUNNER_HOOK_JOB_COMPLETED=/opt/pitcrew/hooks/job-completed.sh';
  assert.deepEqual(setEnvKeys(text, HOOKS), { content: text, changed: [] });
});

test('a key set to another value is replaced where it stands, keeping CRLF line endings', () => {
  const edit = setEnvKeys('# c\r\nACTIONS_RUNNER_HOOK_JOB_COMPLETED=/old.sh\r\nB=2\r\n', HOOKS);
  assert.equal(edit.content, '# c\r\nACTIONS_RUNNER_HOOK_JOB_COMPLETED=/opt/pitcrew/hooks/job-completed.sh\r\nB=2\r\nACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/pitcrew/hooks/job-started.sh\r\n');
  assert.deepEqual(edit.changed.sort(), ['ACTIONS_RUNNER_HOOK_JOB_COMPLETED', 'ACTIONS_RUNNER_HOOK_JOB_STARTED']);
});

test('editing keeps every line it does not own, in order, and is idempotent', () => {
  const line = fc.oneof(
    fc.stringMatching(/^[A-Z_]{1,8}=[a-z0-9/:.]{0,10}$/),
    fc.stringMatching(/^# [a-z =]{0,12}$/),
    fc.constant(''),
    fc.constant('ACTIONS_RUNNER_HOOK_JOB_STARTED=/old'),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (lines, finalEol) => {
      const text = lines.join('\n') + (finalEol && lines.length > 0 ? '\n' : '');
      const once = setEnvKeys(text, HOOKS).content;
      const isOwned = (l: string): boolean => HOOKS.some(([k]) => l.startsWith(`${k}=`));
      const kept = (s: string): string[] => (s.length === 0 ? [] : s.replace(/\n$/, '').split('\n').filter((l) => !isOwned(l)));
      assert.deepEqual(kept(once), kept(text));
      for (const [k, v] of HOOKS) assert.ok(once.split('\n').includes(`${k}=${v}`));
      assert.equal(setEnvKeys(once, HOOKS).content, once);
    }),
  );
});

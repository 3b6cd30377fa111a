import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretMasker } from '../../src/mask/masker.js';
import { UnmaskedSecretError } from '../../src/mask/errors.js';
import { appendStepSummary, exportVariable, setOutput, STEP_SUMMARY_MAX_BYTES } from '../../src/github/actions/files.js';
import { ExitCode, UsageError } from '../../src/errors.js';

const S = 'files-secret-value';

function setup(): { dir: string; env: Record<string, string>; masker: SecretMasker } {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-gha-'));
  const env = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_ENV: join(dir, 'env'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  const masker = new SecretMasker();
  masker.register(S, 'test');
  return { dir, env, masker };
}

test('outputs are written with a random heredoc delimiter, multi-line values intact', () => {
  const { env, masker } = setup();
  setOutput('runner', 'rack-1', { env, masker });
  setOutput('notes', 'a\nb=c\nEOF', { env, masker });
  const text = readFileSync(env.GITHUB_OUTPUT, 'utf8');
  const m = /^runner<<(ghadelimiter_[0-9a-f-]{36})\nrack-1\n\1\nnotes<<(ghadelimiter_[0-9a-f-]{36})\na\nb=c\nEOF\n\2\n$/.exec(text);
  assert.ok(m, text);
  assert.notEqual(m[1], m[2]);
});

test('an output whose value contains a secret is refused, naming the output and not the value', () => {
  const { env, masker } = setup();
  assert.throws(
    () => setOutput('url', `https://x/?t=${encodeURIComponent(S)}`, { env, masker }),
    (err: unknown) => err instanceof UnmaskedSecretError && err.exitCode === ExitCode.usage && /step output "url"/.test(err.message) && !err.message.includes(S),
  );
  assert.throws(() => statSync(env.GITHUB_OUTPUT));
});

test('a value containing the delimiter is refused', () => {
  const { env, masker } = setup();
  assert.throws(() => setOutput('x', 'has fixed-delim inside', { env, masker, delimiter: () => 'fixed-delim' }), UsageError);
});

test('$GITHUB_ENV may carry secrets: later steps need them and the file is not shown', () => {
  const { env, masker } = setup();
  exportVariable('DB_PASSWORD', S, { env, masker });
  assert.match(readFileSync(env.GITHUB_ENV, 'utf8'), new RegExp(`^DB_PASSWORD<<ghadelimiter_[0-9a-f-]+\\n${S}\\n`));
});

test('outside a GitHub step the missing variable is named', () => {
  const masker = new SecretMasker();
  assert.throws(() => setOutput('x', 'y', { env: {}, masker }), /\$GITHUB_OUTPUT is not set/);
});

test('step summary appends are masked', () => {
  const { env, masker } = setup();
  appendStepSummary(`## Deploy\nused ${S}\n`, { env, masker });
  assert.equal(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'), '## Deploy\nused ***\n');
});

test('the step summary stays under 1 MiB, masking before cutting', () => {
  const { env, masker } = setup();
  writeFileSync(env.GITHUB_STEP_SUMMARY, 'x'.repeat(STEP_SUMMARY_MAX_BYTES - 200));
  const big = `${'é'.repeat(70)}${S}`.repeat(50);
  const written = appendStepSummary(big, { env, masker });
  const size = statSync(env.GITHUB_STEP_SUMMARY).size;
  assert.ok(written > 0);
  assert.ok(size < STEP_SUMMARY_MAX_BYTES, `${size}`);
  const text = readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8');
  assert.ok(!text.includes('files-'));
  assert.match(text, /summary truncated/);
  assert.equal(appendStepSummary('more', { env, masker }), 0);
});

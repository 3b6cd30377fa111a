import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { problemsOf } from './helpers.js';

test('a YAML syntax error names its line and column', async () => {
  const { problems, error } = await problemsOf('syntax-error.yml');
  assert.equal(problems.length, 1);
  assert.deepEqual({ line: problems[0].line, column: problems[0].column }, { line: 7, column: 15 });
  assert.match(problems[0].message, /^YAML syntax error: Nested mappings are not allowed/);
  assert.match(error.message, /syntax-error\.yml:7:15: YAML syntax error/);
});

test('an unknown key is reported at the key with the valid keys listed', async () => {
  const { problems } = await problemsOf('unknown-key.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [7, 5, 'environments.staging.colour']);
  assert.match(p.message, /^unknown key `colour`; valid keys: transport, runners, keepReleases,/);
});

test('a misspelt key suggests the closest valid key', async () => {
  const { problems, error } = await problemsOf('misspelt-key.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [5, 5, 'environments.staging.keepRelease']);
  assert.equal(p.message, 'unknown key `keepRelease`; did you mean `keepReleases`?');
  assert.match(error.message, /misspelt-key\.yml:5:5: environments\.staging\.keepRelease: unknown key/);
});

test('a value of the wrong type says what was expected and what was found', async () => {
  const { problems } = await problemsOf('wrong-type.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [9, 79, 'environments.production.targets[2].port']);
  assert.equal(p.message, 'expected a whole number from 1 to 65535, found "twenty-two"');
});

test('a missing required key is reported at the mapping that lacks it', async () => {
  const { problems } = await problemsOf('missing-key.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [7, 9, 'environments.production.targets[0].user']);
  assert.match(p.message, /^missing required key `user`/);
});

test('a bad duration shows the accepted forms', async () => {
  const { problems } = await problemsOf('bad-duration.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [8, 12, 'environments.staging.lock.ttl']);
  assert.equal(p.message, 'expected a duration such as 500ms, 30s, 15m or 2h, found "15 minutes"');
});

test('an unset ${VAR} names the variable and where it is used; $${ is a literal', async () => {
  const { problems } = await problemsOf('unset-variable.yml');
  assert.equal(problems.length, 1, 'the escaped $${NOT_A_VARIABLE} is not a reference');
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [6, 17, 'environments.staging.targets[0].folder']);
  assert.match(p.message, /environment variable STAGING_ROOT is not set/);
});

test('a duplicate runner name points at the second one and names the first', async () => {
  const { problems } = await problemsOf('duplicate-runner.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [5, 11, 'runners[1].name']);
  assert.equal(p.message, 'duplicate runner name `primary`: already used by runners[0]');
});

test("an environment naming an unknown runner suggests the closest runner's name", async () => {
  const { problems } = await problemsOf('unknown-runner.yml');
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [8, 24, 'environments.staging.runners[1]']);
  assert.match(p.message, /found unknown runner `secondray`; did you mean `secondary`\?$/);
});

test("an error about a value read from a secret variable names the variable, never the value", async () => {
  const secret = 'hunter2-correct-horse';
  const { problems, error } = await problemsOf('secret-value.yml', { DB_PASSWORD: secret });
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.deepEqual([p.line, p.column, p.path], [9, 28, 'environments.staging.healthChecks[0].port']);
  assert.equal(p.message, 'expected a whole number from 1 to 65535, found a value from ${DB_PASSWORD} (secret, not shown)');
  assert.ok(!error.message.includes(secret));
  assert.ok(!JSON.stringify(error.problems).includes(secret));
});

test('every problem of a file is reported, in file order, by one ConfigError with exit code 2', async () => {
  const { error } = await problemsOf('many-problems.yml', { PORT: 'abc' });
  assert.ok(error instanceof UsageError);
  assert.equal(error.exitCode, ExitCode.usage);
  assert.equal(error.code, 'config.invalid');
  const paths = error.problems.map((p) => p.path);
  assert.deepEqual(paths, [
    'github.tokenn',
    'server.tokens[0].role',
    'runners[0].environments[0]',
    'environments.production.targets[0].port',
    'environments.production.healthChecks[0].kind',
    'environments.staging.transport',
  ]);
  const lines = error.problems.map((p) => p.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  assert.equal(error.message.split('\n').length, 1 + error.problems.length);
  assert.match(error.message, /did you mean `deployer`\?/);
  assert.match(error.message, /found "abc" \(from \$\{PORT\}\)/);
  assert.match(error.message, /found "htp"; did you mean `http`\?/);
  assert.match(error.message, /found "lokal"; did you mean `local`\?/);
});

test('a missing file is a ConfigError naming the path and how to name another', async () => {
  await assert.rejects(loadConfig('/nonexistent/pitcrew.yml', {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /\/nonexistent\/pitcrew\.yml: configuration file not found/);
    assert.match(err.hint ?? '', /--config/);
    assert.match(err.hint ?? '', /\$PITCREW_CONFIG/);
    return true;
  });
});

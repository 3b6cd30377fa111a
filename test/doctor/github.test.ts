import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runnerPayload, replies, startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { doctor, tempDir, writeConfig } from './helpers.js';

const TOKEN = 'ghp-doctor-test-token';

async function setUp(t: { after: (fn: () => void | Promise<void>) => void }): Promise<{ gh: FakeGitHub; dir: string; env: Record<string, string> }> {
  const gh = await startFakeGitHub({ owner: 'acme', repo: 'shop', token: TOKEN });
  t.after(() => gh.close());
  const dir = tempDir(t);
  writeConfig(
    dir,
    `project: shop
github: { owner: acme, repo: shop, apiUrl: "${gh.url}", tokenEnv: GH_DOCTOR_TOKEN }
runners:
  - { name: ci-1 }
`,
  );
  return { gh, dir, env: { GH_DOCTOR_TOKEN: TOKEN, PITCREW_AGENT_URL: 'http://127.0.0.1:1' } };
}

// doctor() runs the command twice (--json and the human form): each run lists the runners once.
const LIST = '/repos/acme/shop/actions/runners';

test('a runner GitHub no longer lists fails github.registration with the unregistered runbook', async (t) => {
  const { gh, dir, env } = await setUp(t);
  gh.addRunner({ name: 'ci-2' });
  gh.expect('GET', LIST, undefined, { times: 2 });
  const run = await doctor(['--runner', 'ci-1'], env, dir);
  const check = run.check('github.registration');
  assert.equal(check.status, 'fail');
  assert.match(check.evidence[0], /GitHub lists 1 runner\(s\) for acme\/shop; none is named ci-1/);
  assert.equal(check.runbook, 'docs/runbooks/runner-unregistered.md');
  assert.equal(run.code, 1);
  gh.assertDone();
});

test('a runner GitHub sees offline fails github.registration with the runner-offline runbook; online passes', async (t) => {
  const { gh, dir, env } = await setUp(t);
  gh.addRunner({ name: 'ci-1', status: 'offline' });
  gh.expect('GET', LIST, undefined, { times: 4 });
  const offline = await doctor(['--runner', 'ci-1'], env, dir);
  assert.equal(offline.check('github.registration').status, 'fail');
  assert.match(offline.check('github.registration').evidence[0], /ci-1 \(id 1\) is offline/);
  assert.equal(offline.check('github.registration').runbook, 'docs/runbooks/runner-offline.md');

  gh.setRunnerStatus('ci-1', 'online');
  const online = await doctor(['--runner', 'ci-1'], env, dir);
  assert.equal(online.check('github.registration').status, 'pass');
  assert.equal(online.check('github.token').status, 'pass');
  gh.assertDone();
});

test('a revoked token fails with the secrets runbook and is never printed', async (t) => {
  const { gh, dir, env } = await setUp(t);
  gh.expect('GET', LIST, replies.unauthorized(), { times: 2 });
  const run = await doctor(['--runner', 'ci-1'], env, dir);
  assert.equal(run.check('github.token').status, 'fail');
  assert.equal(run.check('github.token').runbook, 'docs/runbooks/secrets-expired.md');
  assert.equal(run.check('github.registration').runbook, 'docs/runbooks/secrets-expired.md');
  assert.doesNotMatch(run.out + JSON.stringify(run.report), new RegExp(TOKEN));
  gh.assertDone();
});

test('a token GitHub says expires within a week is a warning with the secrets runbook', async (t) => {
  const { gh, dir, env } = await setUp(t);
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 86_400_000).toISOString();
  const expiry = at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  gh.expect('GET', LIST, () => ({ headers: { 'github-authentication-token-expiration': expiry }, body: { total_count: 1, runners: [runnerPayload({ name: 'ci-1' })] } }), { times: 2 });
  const run = await doctor(['--runner', 'ci-1'], env, dir);
  const check = run.check('github.token');
  assert.equal(check.status, 'warn');
  assert.match(check.evidence[0], new RegExp(`expires ${at.replace(/[.]/g, '\\.')} \\(in `));
  assert.equal(check.runbook, 'docs/runbooks/secrets-expired.md');
  gh.assertDone();
});

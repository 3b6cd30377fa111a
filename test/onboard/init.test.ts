import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cli, tempDir } from './support.js';

const SECRETS = { SMOKE_TEST_TOKEN: 'smoke-token-value-0123456789', PITCREW_SSH_KEY: 'ssh-key-material-abcdef' };

interface Job {
  'runs-on': string[];
  environment: string;
  needs?: string;
  concurrency: { group: string; 'cancel-in-progress': boolean; queue: string };
  env: Record<string, string>;
  steps: { run?: string; uses?: string; if?: string; env?: Record<string, string> }[];
}

for (const transport of ['ssh', 'local'] as const) {
  test(`init --transport ${transport} writes a pitcrew.yml that passes config check and keeps its comments`, async () => {
    const dir = await tempDir('init');
    const r = await cli(['init', '--dir', dir, '--env', 'staging', 'production', '--transport', transport]);
    assert.equal(r.code, 0, r.err);
    const check = await cli(['config', 'check', join(dir, 'pitcrew.yml')], SECRETS);
    assert.equal(check.code, 0, check.err);
    const resolved = parse(check.out) as { environments: Record<string, { transport: string }>; runners: { name: string }[] };
    assert.deepEqual(Object.keys(resolved.environments), ['staging', 'production']);
    assert.equal(resolved.environments.production.transport, transport);
    assert.deepEqual(resolved.runners.map((x) => x.name), ['primary', 'secondary']);
    // The smoke-test secret reaches the config through ${VAR} and is masked when printed.
    assert.ok(!check.out.includes(SECRETS.SMOKE_TEST_TOKEN));
    assert.match(check.out, /Bearer \*\*\*/);
    const text = await readFile(join(dir, 'pitcrew.yml'), 'utf8');
    for (const key of ['project:', 'github:', 'server:', 'runners:', 'environments:', 'transport:', 'keepReleases:', 'healthChecks:', 'lock:', 'secrets:']) {
      const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(key));
      assert.ok(line > 0, `${key} missing`);
      const here = text.split('\n')[line];
      const above = text.split('\n')[line - 1];
      assert.ok(here.includes('#') || above.trimStart().startsWith('#'), `${key} has no comment`);
    }
  });
}

test('init uses placeholder hosts on 127.0.0.x and example.com only', async () => {
  const dir = await tempDir('init');
  assert.equal((await cli(['init', '--dir', dir])).code, 0);
  const text = await readFile(join(dir, 'pitcrew.yml'), 'utf8');
  const hosts = [...text.matchAll(/host: ([^,\s}]+)/g)].map((m) => m[1]);
  assert.ok(hosts.length >= 2);
  for (const h of hosts) assert.match(h, /^127\.0\.0\.\d+$/);
  for (const url of text.matchAll(/https?:\/\/([^/:"\s]+)/g)) assert.match(url[1], /^(127\.0\.0\.\d+|([a-z0-9-]+\.)*example\.com|api\.github\.com)$/);
});

test('the generated config check names the secret variable it needs when it is unset', async () => {
  const dir = await tempDir('init');
  assert.equal((await cli(['init', '--dir', dir])).code, 0);
  const check = await cli(['config', 'check', join(dir, 'pitcrew.yml')], {});
  assert.equal(check.code, 2);
  assert.match(check.err, /SMOKE_TEST_TOKEN/);
});

test('the generated workflow deploys each environment on its label, behind approvals and a queued concurrency group', async () => {
  const dir = await tempDir('init');
  assert.equal((await cli(['init', '--dir', dir, '--env', 'staging', '--env', 'production'])).code, 0);
  const wf = parse(await readFile(join(dir, '.github/workflows/deploy.yml'), 'utf8')) as { on: unknown; jobs: Record<string, Job> };
  assert.ok(wf.on);
  assert.deepEqual(Object.keys(wf.jobs), ['deploy-staging', 'deploy-production']);
  assert.equal(wf.jobs['deploy-production'].needs, 'deploy-staging');
  for (const env of ['staging', 'production']) {
    const job = wf.jobs[`deploy-${env}`];
    assert.deepEqual(job['runs-on'], ['self-hosted', `pitcrew-${env}`]);
    assert.equal(job.environment, env);
    assert.deepEqual(job.concurrency, { group: `pitcrew-deploy-${env}`, 'cancel-in-progress': false, queue: 'max' });
    assert.equal(job.env.PITCREW_TOKEN, '${{ secrets.PITCREW_DEPLOYER_TOKEN }}');
    const runs = job.steps.map((s) => s.run ?? '');
    assert.ok(runs.some((r) => r.startsWith(`pitcrew deploy ${env} --artifact `)));
    const summary = job.steps.find((s) => (s.run ?? '').includes('$GITHUB_STEP_SUMMARY'));
    assert.equal(summary?.run, 'pitcrew report --format markdown >> "$GITHUB_STEP_SUMMARY"');
    assert.equal(summary?.if, 'always()');
    for (const r of runs) assert.ok(!r.includes('${{'), `expression inside a script: ${r}`);
  }
  // Every secret the config names is handed to the job.
  const cfg = await readFile(join(dir, 'pitcrew.yml'), 'utf8');
  for (const v of ['PITCREW_SSH_KEY', 'SMOKE_TEST_TOKEN']) {
    assert.ok(cfg.includes(v));
    assert.equal(wf.jobs['deploy-staging'].env[v], `\${{ secrets.${v} }}`);
  }
});

test('init refuses to overwrite existing files without --force, names each one and writes nothing', async () => {
  const dir = await tempDir('init');
  await writeFile(join(dir, 'pitcrew.yml'), 'project: mine\n');
  const r = await cli(['init', '--dir', dir]);
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`${join(dir, 'pitcrew.yml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.err, /--force/);
  assert.equal(await readFile(join(dir, 'pitcrew.yml'), 'utf8'), 'project: mine\n');
  assert.deepEqual(await readdir(dir), ['pitcrew.yml']);

  await mkdir(join(dir, '.github/workflows'), { recursive: true });
  await writeFile(join(dir, '.github/workflows/deploy.yml'), 'name: old\n');
  const both = await cli(['init', '--dir', dir]);
  assert.equal(both.code, 2);
  assert.ok(both.err.includes(join(dir, 'pitcrew.yml')) && both.err.includes(join(dir, '.github/workflows/deploy.yml')));
});

test('init --force overwrites existing files, and a repeated --force run reports them unchanged', async () => {
  const dir = await tempDir('init');
  await writeFile(join(dir, 'pitcrew.yml'), 'project: mine\n');
  const r = await cli(['init', '--dir', dir, '--force', '--project', 'shop']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /updated\s+.*pitcrew\.yml/);
  assert.match(r.out, /created\s+.*deploy\.yml/);
  assert.match(await readFile(join(dir, 'pitcrew.yml'), 'utf8'), /^project: shop$/m);
  const before = (await stat(join(dir, 'pitcrew.yml'))).mtimeMs;
  const again = await cli(['--json', 'init', '--dir', dir, '--force', '--project', 'shop']);
  const result = JSON.parse(again.out) as { changes: { status: string }[] };
  assert.deepEqual(result.changes.map((c) => c.status), ['unchanged', 'unchanged']);
  assert.equal((await stat(join(dir, 'pitcrew.yml'))).mtimeMs, before);
});

test('init refuses unsafe environment names and unknown transports with exit 2', async () => {
  const dir = await tempDir('init');
  const bad = await cli(['init', '--dir', dir, '--env', 'prod;rm']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /environment name "prod;rm" is not allowed/);
  const transport = await cli(['init', '--dir', dir, '--transport', 'ftp']);
  assert.equal(transport.code, 2);
  assert.match(transport.err, /--transport "ftp" is not one of ssh, local/);
  assert.deepEqual(await readdir(dir), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { deployWorkspace, TARGETS, workspaceConfig, type DeployWorkspace } from '../support/deploy-fixtures.js';

const SECRET = 's3cr3t-Deploy-Pa55word';

async function cli(ws: DeployWorkspace, env: Record<string, string>, ...args: string[]) {
  const io = memoryIo({ cwd: ws.dir });
  const code = await main(['--config', ws.configPath, ...args], env, io);
  return { code, out: io.out(), err: io.err() };
}

function assertBalancedGroups(text: string): void {
  let open = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('::group::')) {
      assert.equal(open, 0, `a group opened inside another:\n${text}`);
      open++;
    }
    if (line === '::endgroup::') {
      assert.equal(open, 1, `an endgroup without a group:\n${text}`);
      open--;
    }
  }
  assert.equal(open, 0, `a group left open:\n${text}`);
}

test('under GitHub Actions a failed health check is grouped by phase, annotated with its target and summarized', async () => {
  const ws = await deployWorkspace({ batchSize: 2 });
  try {
    const summary = join(ws.dir, 'summary.md');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, PITCREW_ADD_MASK: 'false' };
    await ws.artifact('1.0.0');
    const first = await cli(ws, env, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz');
    assert.equal(first.code, 0, first.err);
    assertBalancedGroups(first.out);
    assert.match(first.out, /^::group::lock and artifact\n/m);
    assert.match(first.out, /^::group::stage on 3 targets\n/m);
    assert.match(first.out, /^::group::switch batch 1\/2\n/m);
    assert.match(first.out, /^::endgroup::\ndeployed 1\.0\.0-\S+ to 3 targets of prod\n/m);
    assert.doesNotMatch(first.out, /^::error/m);

    const failing = await cli(ws, env, 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { failOn: ['web-3'] }));
    assert.equal(failing.code, 1);
    assertBalancedGroups(failing.out);
    assert.match(failing.out, /^::group::switch batch 2\/2\n/m);
    assert.match(failing.out, /^::group::rollback\n/m);
    assert.match(failing.out, /^::error title=pitcrew deploy::health check no fail marker failed on web-3: /m);
    assert.match(failing.out, /^::error title=pitcrew deploy::deploy of prod rolled-back: health check no fail marker failed on web-3/m);

    const md = await readFile(summary, 'utf8');
    assert.match(md, /## pitcrew deploy prod: succeeded/);
    assert.match(md, /## pitcrew deploy prod: rolled-back/);
    assert.match(md, /\| result \| \*\*rolled-back\*\* \(exit 1\) \|/);
    for (const t of TARGETS) assert.match(md, new RegExp(`^\\| ${t} \\| 1\\.0\\.0-[0-9a-f]{12} \\| 1\\.0\\.0-[0-9a-f]{12} \\|`, 'm'));
    assert.match(md, /^\| error \| health check no fail marker failed on web-3: /m);
    assert.match(md, /^\| web-3 \| health \| no fail marker \| \*\*failed\*\* \| 1 \| \d+ ms \| exit 1 \(no output\) \(after 1 attempt\) \|$/m);
    assert.match(md, /^\| web-3 \| after rollback \| no fail marker \| passed \| 1 \| \d+ ms \| exit 0 \|$/m);
    assert.match(failing.out, /^health check on web-3: no fail marker: failed after 1 attempt in \d+ ms \(exit 1 \(no output\) \(after 1 attempt\)\)$/m);
    assert.match(md, /### Timings/);
  } finally {
    await ws.cleanup();
  }
});

test('a secret in a failing step\'s output reaches neither stdout, stderr nor the step summary', async () => {
  const ws = await deployWorkspace();
  try {
    const config = workspaceConfig(ws.dir, ws.folders, {}) as { secrets?: string[]; environments: { prod: { steps: { restart: string } } } };
    config.secrets = ['DEPLOY_PASSWORD'];
    config.environments.prod.steps.restart = `if [ -e broken ]; then echo "login failed for ${SECRET}" >&2; exit 3; fi`;
    await writeFile(ws.configPath, JSON.stringify(config, null, 2));
    const summary = join(ws.dir, 'summary.md');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, PITCREW_ADD_MASK: 'false', DEPLOY_PASSWORD: SECRET };
    await ws.artifact('1.0.0');
    assert.equal((await cli(ws, env, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz')).code, 0);
    const failing = await cli(ws, env, 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { extra: { broken: 'yes\n' } }));
    assert.equal(failing.code, 1);
    // The step's own failure is reported, its output masked (and journaled masked, never refused).
    assert.match(failing.out, /^::error title=pitcrew deploy::deploy of prod rolled-back: restart step failed on web-1: .*login failed for \*\*\*/m);
    const { store, close } = await ws.coordinator();
    try {
      const [latest] = await store.listDeployments({ environment: 'prod', limit: 1 });
      const details = (await store.listJournal(latest.id)).map((e) => e.detail ?? '').join('\n');
      assert.match(details, /login failed for \*\*\*/);
      assert.ok(!details.includes(SECRET) && !(latest.error ?? '').includes(SECRET), 'the journal keeps only the masked form');
    } finally {
      await close();
    }
    const md = await readFile(summary, 'utf8');
    assert.match(md, /\| result \| \*\*rolled-back\*\* \(exit 1\) \|/);
    for (const text of [failing.out, failing.err, md]) assert.ok(!text.includes(SECRET), `the secret leaked:\n${text}`);
  } finally {
    await ws.cleanup();
  }
});

test('without GITHUB_ACTIONS the narration is plain lines, and --json stays one document', async () => {
  const ws = await deployWorkspace();
  try {
    await ws.artifact('1.0.0');
    const plain = await cli(ws, {}, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz');
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /^switching batch 3\/3: web-3$/m);
    assert.doesNotMatch(plain.out + plain.err, /^::/m);
    const json = await cli(ws, { GITHUB_ACTIONS: 'true', PITCREW_ADD_MASK: 'false' }, '--json', 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { failOn: ['web-2'] }));
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.out).result, 'rolled-back');
    assertBalancedGroups(json.err);
    assert.match(json.err, /^::error title=pitcrew deploy::health check no fail marker failed on web-2: /m);
  } finally {
    await ws.cleanup();
  }
});

test('a deploy refused before any report closes its group and is annotated', async () => {
  const ws = await deployWorkspace();
  try {
    const artifact = await ws.artifact('1.0.0');
    await writeFile(`${artifact}.sha256`, `${'0'.repeat(64)}  shop-1.0.0.tar.gz\n`);
    const refused = await cli(ws, { GITHUB_ACTIONS: 'true', PITCREW_ADD_MASK: 'false' }, 'deploy', 'prod', '--artifact', artifact);
    assert.equal(refused.code, 1, refused.err);
    assertBalancedGroups(refused.out);
    assert.match(refused.out, /^::error title=pitcrew deploy::/m);
  } finally {
    await ws.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { acquireLease, httpCoordinator } from '../../src/coord/index.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { TOKENS, type TestServer } from '../server/harness.js';
import { serverFor } from '../support/deploy-server.js';
import { deployWorkspace, REPO_ROOT, type DeployWorkspace } from '../support/deploy-fixtures.js';
import { eventually } from './fixtures.js';

async function setup(): Promise<{ ws: DeployWorkspace; t: TestServer; cli: (env: Record<string, string>, ...argv: string[]) => Promise<{ code: number; out: string; err: string }> }> {
  const ws = await deployWorkspace({ batchSize: 3, ttl: '30s' });
  const t = await serverFor(ws);
  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    const io = memoryIo({ cwd: ws.dir });
    const code = await main(['--config', ws.configPath, ...argv], env, io);
    return { code, out: io.out(), err: io.err() };
  };
  return { ws, t, cli };
}

const exists = (file: string) => access(file).then(() => true, () => false);

test('a deploy through the server succeeds and its deployment and journal are in the server store, not in server.database', async () => {
  const { ws, t, cli } = await setup();
  try {
    await ws.artifact('1.0.0');
    const run = await cli({ RUNNER_NAME: 'ci-1' }, '--server', t.url, '--token', TOKENS.deployer, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz');
    assert.equal(run.code, 0, run.err);
    assert.match(run.out.split('\n')[0], /^server mode: lock and journal through the pitcrew server at http:\/\/127\.0\.0\.1:\d+ as runner ci-1$/);
    assert.match(run.out, /deployed 1\.0\.0-[0-9a-f]{12} to 3 targets of prod/);
    const [dep, ...others] = await t.store.listDeployments({ environment: 'prod' });
    assert.equal(others.length, 0);
    assert.equal(dep.result, 'succeeded');
    assert.equal(dep.runner, 'ci-1');
    const steps = (await t.store.listJournal(dep.id)).map((e) => e.step);
    assert.equal(steps[0], 'plan');
    assert.ok(steps.includes('commit') && steps.includes('finish'), steps.join(' '));
    assert.equal((await t.store.lockStatus('prod', Date.now())).holder, null, 'the lock was released through the server');
    assert.equal(await exists(ws.dbPath), false, 'server mode never opens server.database');
    assert.deepEqual((await ws.currents()).map((c) => c?.startsWith('1.0.0-')), [true, true, true]);
    const status = await cli({}, '--server', t.url, '--token', TOKENS.viewer, 'status', 'prod');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /1\.0\.0\S* succeeded by/);
  } finally {
    await t.dispose();
    await ws.cleanup();
  }
});

test('through the server a runner not authorized for the environment, a viewer token and a missing RUNNER_NAME are refused with exit 2', async () => {
  const { ws, t, cli } = await setup();
  try {
    await ws.artifact('1.0.0');
    const deploy = (env: Record<string, string>, token: string) => cli(env, '--server', t.url, '--token', token, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz');
    const stranger = await deploy({ RUNNER_NAME: 'elsewhere' }, TOKENS.deployer);
    assert.equal(stranger.code, 2);
    assert.match(stranger.err, /runner elsewhere may not deploy to prod/);
    const viewer = await deploy({ RUNNER_NAME: 'ci-1' }, TOKENS.viewer);
    assert.equal(viewer.code, 2);
    assert.match(viewer.err, /token look has role viewer, which may not take, renew and release deploy locks; roles that may: deployer, admin/);
    const nameless = await deploy({}, TOKENS.deployer);
    assert.equal(nameless.code, 2);
    assert.match(nameless.err, /RUNNER_NAME is not set/);
    assert.deepEqual(await t.store.listDeployments({ environment: 'prod' }), []);
    assert.deepEqual(await ws.currents(), [undefined, undefined, undefined]);
  } finally {
    await t.dispose();
    await ws.cleanup();
  }
});

test('a deployer fenced off through the server (409 stale token) stops without rolling back, and a recovery through the server finishes it', async () => {
  const ws = await deployWorkspace({ batchSize: 1, ttl: '30s' });
  const t = await serverFor(ws);
  try {
    const coord = httpCoordinator({ url: t.url, token: TOKENS.deployer, runner: 'ci-1' });
    const ports = { coord, runner: 'ci-1' };
    const v1 = (await ws.deploy({ artifact: await ws.artifact('1.0.0') }, ports)).report.releaseId;
    await ws.slowRestart(1);
    const running = ws.deploy({ artifact: await ws.artifact('2.0.0') }, ports);
    await eventually(async () => (await ws.currents())[0] !== v1, 'web-1 switched', 30_000);
    assert.ok((await httpCoordinator({ url: t.url, token: TOKENS.admin }).forceRelease('prod', 'ops', 'runner went offline')) !== null);
    const newer = await acquireLease(coord, { environment: 'prod', description: 'newer', runner: 'ci-1', ttlMs: 30_000, waitMs: 5_000 }, { pollMs: 10 });
    const { report, lines } = await running;
    assert.equal(report.result, 'lock-lost');
    assert.equal(report.exitCode, 3);
    assert.match(report.error ?? '', new RegExp(`fencing token ${report.fencingToken} for environment "prod" is stale: token ${newer.fencingToken} has been granted since`));
    assert.ok(!lines.some((l) => l.startsWith('rolling back')), 'a fenced deployer does not roll back on its own');
    await newer.release();
    await Promise.all(ws.folders.map((f) => rm(`${f}/slow`)));
    const next = await ws.deploy({ kind: 'recover' }, ports);
    assert.deepEqual(next.report.recovered.map((r) => r.result), ['rolled-back']);
    assert.deepEqual(await ws.currents(), [v1, v1, v1]);
  } finally {
    await t.dispose();
    await ws.cleanup();
  }
});

test('a deploy whose server cannot be reached exits 3 and touches no target', async () => {
  const ws = await deployWorkspace();
  try {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    await ws.artifact('1.0.0');
    const io = memoryIo({ cwd: ws.dir });
    const code = await main(['--config', ws.configPath, '--server', `http://127.0.0.1:${port}`, 'deploy', 'prod', '--artifact', 'shop-1.0.0.tar.gz'], { RUNNER_NAME: 'ci-1' }, io);
    assert.equal(code, 3, io.err());
    assert.match(io.err(), /cannot reach the pitcrew server at http:\/\/127\.0\.0\.1:\d+/);
    assert.deepEqual(await ws.currents(), [undefined, undefined, undefined]);
  } finally {
    await ws.cleanup();
  }
});

test('the compiled CLI deploys through a listening server with --server, --token and RUNNER_NAME', async () => {
  const { ws, t } = await setup();
  try {
    await ws.artifact('2.0.0');
    const child = spawn(process.execPath, ['bin/pitcrew.js', '--config', ws.configPath, '--server', t.url, '--token', TOKENS.deployer, 'deploy', 'prod', '--artifact', join(ws.dir, 'shop-2.0.0.tar.gz')], {
      cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', RUNNER_NAME: 'ci-1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, err);
    assert.match(out, /^server mode: .* as runner ci-1\n/);
    assert.equal(out.includes(TOKENS.deployer), false, 'the token never shows');
    const [dep] = await t.store.listDeployments({ environment: 'prod', result: 'succeeded' });
    assert.equal(dep.version, '2.0.0');
  } finally {
    await t.dispose();
    await ws.cleanup();
  }
});

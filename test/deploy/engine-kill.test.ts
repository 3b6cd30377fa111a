import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { deployWorkspace, REPO_ROOT, type DeployWorkspace } from '../support/deploy-fixtures.js';
import { eventually } from './fixtures.js';

function spawnDeploy(ws: DeployWorkspace, artifact: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null }>; output: () => string } {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/pitcrew.js'), '--config', ws.configPath, 'deploy', 'prod', '--artifact', artifact], {
    cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, output: () => out };
}

/** Deploys 1.0.0, makes restarts slow, starts a 2.0.0 deploy in a child and waits until web-1 is switched. */
async function interruptedMidDeploy(ws: DeployWorkspace, slowSeconds: number) {
  await ws.deploy({ artifact: await ws.artifact('1.0.0') });
  const old = await ws.currents();
  await ws.slowRestart(slowSeconds);
  const run = spawnDeploy(ws, await ws.artifact('2.0.0'));
  await eventually(async () => (await ws.currents())[0] !== old[0], 'web-1 switched to the new release', 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; child said: ${run.output()}`);
  });
  return { old, run };
}

async function lockAndLast(ws: DeployWorkspace) {
  const { coord, close } = await ws.coordinator();
  const lock = await coord.lockStatus('prod');
  const deployments = await coord.listDeployments({ environment: 'prod' });
  const journal = await coord.listJournal(deployments[0].id);
  await close();
  return { lock, deployments, journal };
}

async function fastRestart(ws: DeployWorkspace): Promise<void> {
  await Promise.all(ws.folders.map((f) => rm(join(f, 'slow'), { force: true })));
}

test('a deploy killed with SIGKILL mid-switch is rolled back by `pitcrew recover`: every target on the old release, lock free', async () => {
  const ws = await deployWorkspace({ batchSize: 1, ttl: '2s' });
  try {
    const { old, run } = await interruptedMidDeploy(ws, 8);
    run.child.kill('SIGKILL');
    assert.equal((await run.exited).signal, 'SIGKILL');
    const mixed = await ws.currents();
    assert.notDeepEqual(mixed, old, 'the kill left the targets mixed');
    await fastRestart(ws);
    const io = memoryIo({ cwd: ws.dir });
    const code = await main(['--config', ws.configPath, 'recover', 'prod', '--wait-lock', '30s'], {}, io);
    assert.equal(code, 0, io.err() + io.out());
    assert.match(io.out(), /did not finish: rolling back every target it touched/);
    assert.deepEqual(await ws.currents(), old);
    const { lock, deployments, journal } = await lockAndLast(ws);
    assert.equal(lock.holder, null);
    assert.equal(deployments[0].state, 'interrupted');
    assert.ok(journal.some((e) => e.step === 'recover' && e.phase === 'succeeded'));
    assert.ok(journal.at(-1)!.fencingToken > journal[0].fencingToken, 'recovery writes with the newer token');
  } finally {
    await ws.cleanup();
  }
});

test('the next deploy after a SIGKILL first rolls the interrupted one back, then deploys', async () => {
  const ws = await deployWorkspace({ batchSize: 1, ttl: '2s' });
  try {
    const { old, run } = await interruptedMidDeploy(ws, 8);
    run.child.kill('SIGKILL');
    await run.exited;
    await fastRestart(ws);
    const { report, lines } = await ws.deploy({ artifact: await ws.artifact('3.0.0') });
    assert.equal(report.exitCode, 0, lines.join('\n'));
    assert.deepEqual(report.recovered.map((r) => r.result), ['rolled-back']);
    assert.equal(report.recovered[0].targets.find((t) => t.target === 'web-1')?.final, old[0]);
    assert.deepEqual(await ws.currents(), [report.releaseId, report.releaseId, report.releaseId]);
  } finally {
    await ws.cleanup();
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} during the switch rolls every target back, releases the lock and exits 1`, async () => {
    const ws = await deployWorkspace({ batchSize: 1, ttl: '30s' });
    try {
      const { old, run } = await interruptedMidDeploy(ws, 2);
      await fastRestart(ws);
      run.child.kill(signal);
      const exit = await run.exited;
      assert.equal(exit.code, 1, run.output());
      assert.match(run.output(), new RegExp(`received ${signal}: rolling back`));
      assert.match(run.output(), new RegExp(`interrupted by ${signal} — rolling back all 3 targets`));
      assert.deepEqual(await ws.currents(), old);
      const { lock, deployments, journal } = await lockAndLast(ws);
      assert.equal(lock.holder, null, 'the lock was released (a 30 s lease would still be running otherwise)');
      assert.equal(deployments[0].state, 'rolled-back');
      assert.ok(journal.some((e) => e.step === 'switch' && e.phase === 'started'), 'the interruption came during the switch');
      assert.deepEqual([journal.at(-1)?.step, journal.at(-1)?.phase], ['finish', 'succeeded']);
    } finally {
      await ws.cleanup();
    }
  });
}

/**
 * Scenario 13: chaos. Each test breaks one thing a real deploy meets, with
 * real processes, three local targets and one SQLite store:
 * - the runner crashes mid-deploy (deployer and agent SIGKILLed): the next
 *   run, on the other runner, recovers it once the dead lease passes;
 * - the application's database is unreachable during the smoke tests (a
 *   `tcp` smoke test on a loopback port nobody listens on any more): the
 *   deploy fails and every target is rolled back;
 * - the artifact upload is cut off (the file holds half its bytes and is
 *   still open for writing): the deploy is refused and nothing is touched;
 * - four deploys arrive at once: they run one after the other, in fencing
 *   token order, never interleaved, and every target ends on one release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  Fleet, freePort, inspectStore, poll, runPitcrew, scenarioScope, Stage, StageConfig, startDeployProcess, type Exit, type Proc,
} from './support/index.js';

const takenToken = (out: string) => Number(/lock on production taken \(fencing token (\d+)\)/.exec(out)?.[1]);

test('chaos: the runner crashes mid-deploy; the next run on the other runner recovers it and every target ends on one release', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope, { ttl: '5s' });
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }], environments: { production: stage.environmentConfig() } });
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  await fleet.waitForState('primary', 'online');
  await fleet.waitForState('secondary', 'online');
  const on = (runner: string) => ({ ...fleet.tokenEnv(), RUNNER_NAME: runner, USER: 'scenario' });
  const [v1, v2] = [await stage.artifact('1.0.0'), await stage.artifact('2.0.0')];
  const base = await runPitcrew(['--config', fleet.configPath, 'deploy', 'production', '--artifact', v1.file], { env: on('primary'), cwd: fleet.dir });
  assert.equal(base.code, 0, base.stdout + base.stderr);

  await stage.hold(1);
  const deployer = await startDeployProcess(scope, 'pitcrew deploy 2.0.0 on primary', fleet.configPath, stage, v2, [], on('primary'));
  await poll('web-2 to be switched to 2.0.0 while web-3 is not', async () => {
    if (!deployer.running()) throw new Error(`the deployer exited early: ${deployer.tail()}`);
    const now = await stage.currents();
    return now[1] === v2.releaseId && now[2] === v1.releaseId;
  }, { deadlineMs: 30_000, context: () => deployer.tail() });
  await Promise.all([deployer.stop('SIGKILL'), fleet.agents.get('primary')!.stop('SIGKILL')]);
  await stage.release();
  await fleet.waitForState('primary', 'offline', { deadlineMs: 20_000 });

  const picked = await fleet.cli(['select', '--env', 'production']);
  assert.equal(picked.code, 0, picked.stderr);
  assert.equal(picked.stdout.trim(), 'secondary');
  const next = await runPitcrew(['--config', fleet.configPath, 'deploy', 'production', '--artifact', v2.file], { env: on('secondary'), cwd: fleet.dir, timeoutMs: 60_000 });
  assert.equal(next.code, 0, next.stdout + next.stderr);
  assert.match(next.stdout, /deployment \S+ of 2\.0\.0 did not finish: rolling back every target it touched/);
  assert.deepEqual(await stage.currents(), [v2.releaseId, v2.releaseId, v2.releaseId]);
  const token = takenToken(next.stdout);
  assert.deepEqual(await stage.fences(), [token, token, token]);
});

test('chaos: the database is unreachable during the smoke tests; the deploy fails and every target is rolled back', { timeout: 90_000 }, async (t) => {
  const scope = scenarioScope(t);
  const dbPort = await freePort();
  const database = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => database.listen(dbPort, '127.0.0.1', resolve));
  let databaseUp = true;
  scope.defer('stop the stand-in database', () => (databaseUp ? new Promise<void>((resolve) => database.close(() => resolve())) : undefined));
  const stage = await Stage.create(scope, { smokeTests: [{ kind: 'tcp', name: 'database reachable', port: dbPort, retries: 1, interval: '100ms', timeout: '1s' }] });
  const cfg = await StageConfig.write(stage);
  const [v1, v2] = [await stage.artifact('1.0.0'), await stage.artifact('2.0.0')];

  const healthy = await cfg.cli(['deploy', 'production', '--artifact', v1.file]);
  assert.equal(healthy.code, 0, `with the database up the deploy passes its smoke test:\n${healthy.stdout}${healthy.stderr}`);

  await new Promise<void>((resolve) => database.close(() => resolve()));
  databaseUp = false;
  const r = await cfg.cli(['--json', 'deploy', 'production', '--artifact', v2.file]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { result: string; smokeTests: Array<{ name: string; status: string; attempts: number }>; targets: Array<{ switched: string; rolledBack: string; final: string }> };
  assert.equal(report.result, 'rolled-back');
  assert.equal(report.smokeTests[0].status, 'inconclusive', 'nothing answered: no data, which is never a pass');
  assert.equal(report.smokeTests[0].attempts, 2);
  assert.deepEqual(report.targets.map((x) => x.switched), ['ok', 'ok', 'ok'], 'every target had been switched before the smoke test');
  assert.deepEqual(report.targets.map((x) => x.rolledBack), ['ok', 'ok', 'ok']);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${dbPort}`), 'the narration names the unreachable address');
  assert.deepEqual(await stage.currents(), [v1.releaseId, v1.releaseId, v1.releaseId], 'every target back on 1.0.0');
});

test('chaos: an artifact whose upload was cut off (half its bytes, still being written) is refused before any target or the lock is touched', { timeout: 60_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const cfg = await StageConfig.write(stage);
  const [v1, v2] = [await stage.artifact('1.0.0'), await stage.artifact('2.0.0')];
  const base = await cfg.cli(['deploy', 'production', '--artifact', v1.file]);
  assert.equal(base.code, 0, base.stdout + base.stderr);
  const before = { currents: await stage.currents(), releases: await Promise.all([0, 1, 2].map((i) => stage.releasesOn(i))), fences: await stage.fences() };

  // The upload: the digest came first (from the build), the file is half there and still open for writing.
  const full = await readFile(v2.file);
  const partial = join(stage.dir, 'artifacts', 'upload', 'shop-2.0.0.tar.gz');
  await mkdir(join(stage.dir, 'artifacts', 'upload'));
  await writeFile(`${partial}.sha256`, `${v2.sha256}  shop-2.0.0.tar.gz\n`);
  const upload = await open(partial, 'w');
  scope.defer('close the cut-off upload', () => upload.close());
  await upload.write(full.subarray(0, Math.floor(full.length / 2)));
  await upload.sync();

  const r = await cfg.cli(['deploy', 'production', '--artifact', partial]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /shop-2\.0\.0\.tar\.gz/, 'the refusal names the artifact');
  assert.doesNotMatch(r.stdout, /lock on production taken/, 'the lock was never asked for');
  assert.deepEqual(await stage.currents(), before.currents);
  assert.deepEqual(await Promise.all([0, 1, 2].map((i) => stage.releasesOn(i))), before.releases, 'nothing was staged');
  assert.deepEqual(await stage.fences(), before.fences);
  await inspectStore(cfg.dbPath, async (store) => {
    assert.deepEqual((await store.listDeployments({ environment: 'production' })).map((d) => d.version), ['1.0.0'], 'no deployment was recorded');
    const lock = await store.lockStatus('production', Date.now());
    assert.equal(lock.lastFencingToken, takenToken(base.stdout), 'no fencing token was granted');
  });
});

test('chaos: four deploys arrive at once; they run one at a time in fencing-token order and every target ends on one release', { timeout: 120_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const cfg = await StageConfig.write(stage);
  const v1 = await stage.artifact('1.0.0');
  const base = await cfg.cli(['deploy', 'production', '--artifact', v1.file]);
  assert.equal(base.code, 0, base.stdout + base.stderr);
  const artifacts = [await stage.artifact('2.0.0'), await stage.artifact('3.0.0'), await stage.artifact('4.0.0'), await stage.artifact('5.0.0')];

  // The first to get the lock is held in its first restart until the other three are in the queue: they all arrived at once.
  await stage.hold(0);
  const runs: Proc[] = await Promise.all(artifacts.map((a, i) => cfg.startDeploy(scope, `pitcrew deploy ${a.version}`, a, ['--wait-lock', '90s'], { GITHUB_ACTOR: `dev-${i + 1}` })));
  await poll('one deploy to hold the lock and three to wait in the queue', async () => {
    const lock = await inspectStore(cfg.dbPath, (store) => store.lockStatus('production', Date.now()));
    return lock.holder !== null && lock.queue.length === 3;
  }, { deadlineMs: 30_000, context: () => runs.map((p) => p.tail(5)).join('\n') });
  await stage.release(0);
  const exits: Exit[] = await poll('all four deploys to finish', async () => (runs.every((p) => !p.running()) ? Promise.all(runs.map((p) => p.exited)) : undefined), {
    deadlineMs: 90_000, everyMs: 200, context: () => runs.map((p) => p.tail(5)).join('\n'),
  });
  assert.deepEqual(exits.map((e) => e.code), [0, 0, 0, 0], runs.map((p) => p.tail()).join('\n'));

  const tokens = runs.map((p) => takenToken(p.stdout()));
  assert.equal(new Set(tokens).size, 4, `four distinct fencing tokens: ${tokens.join(', ')}`);
  const order = artifacts.map((a, i) => ({ a, token: tokens[i] })).sort((x, y) => x.token - y.token);
  assert.equal(runs.filter((p) => /waiting for the lock on production/.test(p.stdout())).length, 3, 'three of them queued behind the first');

  await inspectStore(cfg.dbPath, async (store) => {
    const deployments = (await store.listDeployments({ environment: 'production' })).filter((d) => d.version !== '1.0.0');
    assert.deepEqual(deployments.map((d) => d.state).sort(), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const spans = [];
    for (const { a, token } of order) {
      const d = deployments.find((x) => x.version === a.version)!;
      assert.equal(d.fencingToken, token);
      const journal = await store.listJournal(d.id);
      assert.ok(journal.every((e) => e.fencingToken === token), `${a.version}: every journal write carries its own token`);
      spans.push({ version: a.version, from: Math.min(...journal.map((e) => e.at)), to: Math.max(...journal.map((e) => e.at)) });
    }
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i].from >= spans[i - 1].to, `never interleaved: ${spans[i].version} started after ${spans[i - 1].version} finished (${JSON.stringify(spans)})`);
    }
  });
  const last = order[order.length - 1];
  assert.deepEqual(await stage.currents(), [last.a.releaseId, last.a.releaseId, last.a.releaseId], 'every target on the release of the last holder');
  assert.deepEqual(await stage.fences(), [last.token, last.token, last.token]);
});

/**
 * The deployer killed with SIGKILL at every journal step in turn. The journal
 * of a full deploy (plan, capture, stage, install, switch, restart, health,
 * smoke, commit, mark, finish, prune) is enumerated first; then, for each
 * step as it starts and as it is done, a `pitcrew deploy` child is killed
 * with that entry written and the next one not (a journal gate in front of the server holds the next
 * write). After `pitcrew recover` (or, in every third run, the next
 * `pitcrew deploy`) every target is on one and the same release, that release
 * passes its health checks, the lock is free and the killed deployment's
 * journal is closed. The dead holder's lock is broken first with
 * `lock release --force`, as docs/deploy.md advises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { parseConfigText } from '../../src/config/index.js';
import { runChecks } from '../../src/deploy/checks/index.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import { TOKENS, type TestServer } from '../server/harness.js';
import { deployWorkspace, REPO_ROOT, TARGETS, workspaceConfig, type DeployWorkspace } from '../support/deploy-fixtures.js';
import { serverFor, startJournalGate, type JournalEntry } from '../support/deploy-server.js';

const RUNNER_ENV = { PATH: process.env.PATH ?? '', RUNNER_NAME: 'ci-1' };

/** Two targets, one per batch, an install command, a smoke test, and a health check that passes only when the last restart was of the current release. */
async function killWorkspace(): Promise<DeployWorkspace> {
  const ws = await deployWorkspace();
  const folders = ws.folders.slice(0, 2);
  const config = workspaceConfig(ws.dir, folders, { batchSize: 1, ttl: '30s', smokeTests: [{ kind: 'command', name: 'app runs', run: 'sh app.sh', timeout: '20s' }] }) as {
    environments: { prod: { healthChecks: unknown[]; steps: Record<string, string> } };
  };
  // An install command, so the install step is journaled (a step with nothing to run is not) and killed at too.
  config.environments.prod.steps.install = 'test -f app.sh';
  config.environments.prod.healthChecks.push({
    kind: 'command', name: 'running release is current', run: 'test "$(tail -n 1 "$PITCREW_PATH/restarts")" = "$PITCREW_RELEASE"', retries: 0, timeout: '20s',
  });
  await writeFile(ws.configPath, JSON.stringify(config, null, 2));
  return {
    ...ws,
    folders,
    environment: parseConfigText(JSON.stringify(config), ws.configPath, {}).config.environments.prod,
    currents: () => Promise.all(folders.map(async (f) => (await readlink(join(f, 'current')).catch(() => undefined))?.replace(/^releases\//, ''))),
  };
}

/** Runs `pitcrew deploy` in a child through `server`, until it exits or is killed. */
function childDeploy(ws: DeployWorkspace, server: string, artifact: string) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/pitcrew.js'), '--config', ws.configPath, '--server', server, '--token', TOKENS.deployer, 'deploy', 'prod', '--artifact', artifact], {
    cwd: ws.dir, env: RUNNER_ENV, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, output: () => out };
}

async function cli(ws: DeployWorkspace, t: TestServer, ...argv: string[]): Promise<{ code: number; out: string }> {
  const io = memoryIo({ cwd: ws.dir });
  const code = await main(['--config', ws.configPath, '--server', t.url, '--token', TOKENS.deployer, ...argv], RUNNER_ENV, io);
  return { code, out: io.out() + io.err() };
}

const key = (e: JournalEntry) => `${e.step} ${e.phase}${e.target === null ? '' : ` on ${e.target}`}`;

/**
 * After which entries to kill: before the first entry, and for each step
 * after its first `started` and after its last `succeeded` (for the steps of
 * the switch, one target per batch: the first batch starting, the last one
 * done). The last entry is left out: after it the deploy is done.
 */
function killPoints(entries: JournalEntry[]): number[] {
  const points = new Set([0]);
  for (const [i, e] of entries.entries()) {
    const firstStart = e.phase === 'started' && !entries.slice(0, i).some((x) => x.step === e.step && x.phase === 'started');
    const lastDone = e.phase === 'succeeded' && !entries.slice(i + 1).some((x) => x.step === e.step && x.phase === 'succeeded');
    if ((firstStart || lastDone) && i + 1 < entries.length) points.add(i + 1);
  }
  return [...points].sort((a, b) => a - b);
}

/** Every entry of a full deploy's journal, as the server accepted them. */
async function fullJournal(ws: DeployWorkspace, t: TestServer, artifact: string): Promise<JournalEntry[]> {
  const gate = await startJournalGate(t.url, () => false);
  try {
    const run = childDeploy(ws, gate.url, artifact);
    assert.equal((await run.exited).code, 0, run.output());
    return [...gate.accepted];
  } finally {
    await gate.close();
  }
}

/** Asserts the environment is settled on `expected`: one release everywhere, checks passing, lock free, no deployment open. */
async function assertSettled(ws: DeployWorkspace, t: TestServer, expected: string, killed: string, what: string): Promise<void> {
  assert.deepEqual(await ws.currents(), ws.folders.map(() => expected), `${what}: every target on ${expected}`);
  for (const [i, folder] of ws.folders.entries()) {
    const session = await localTransport().open({ name: TARGETS[i], folder });
    try {
      const results = await runChecks(ws.environment.healthChecks, { name: TARGETS[i], host: '127.0.0.1', session });
      assert.deepEqual(results.map((r) => [r.check, r.status]), ws.environment.healthChecks.map((c) => [c.name, 'passed']), `${what}: checks on ${TARGETS[i]}`);
    } finally {
      await session.close();
    }
  }
  const lock = await t.store.lockStatus('prod', Date.now());
  assert.deepEqual([lock.holder, lock.queue], [null, []], `${what}: lock free`);
  const deployments = await t.store.listDeployments({ environment: 'prod', limit: 200 });
  assert.deepEqual(deployments.filter((d) => d.state === 'running' || d.state === 'rollback-failed').map((d) => d.id), [], `${what}: no deployment left open`);
  const journal = await t.store.listJournal(killed);
  assert.ok(journal.some((e) => e.step === 'finish' && e.phase === 'succeeded'), `${what}: the killed deployment's journal is closed`);
}

test('the deployer killed with SIGKILL after each journal entry of a deploy: recovery leaves every target on one release that passes its checks', { timeout: 1_800_000 }, async () => {
  const ws = await killWorkspace();
  const t = await serverFor(ws);
  try {
    const entries = await fullJournal(ws, t, await ws.artifact('1.0.0'));
    const committedAt = entries.findIndex((e) => e.step === 'commit');
    const steps = new Set(entries.map((e) => e.step));
    for (const s of ['plan', 'capture', 'stage', 'install', 'switch', 'restart', 'health', 'smoke', 'commit', 'mark', 'finish', 'prune']) assert.ok(steps.has(s), `a full deploy journals ${s}`);
    let current = (await ws.currents())[0] as string;
    // k = 0: killed at its first journal write; k = entries.length would be a finished deploy.
    for (const k of killPoints(entries)) {
      const what = k === 0 ? 'killed before its first journal entry' : `killed after entry ${k}/${entries.length} (${key(entries[k - 1])})`;
      const version = `2.0.${k}`;
      const gate = await startJournalGate(t.url, (accepted) => accepted.length >= k);
      const run = childDeploy(ws, gate.url, await ws.artifact(version));
      const stoppedAt = await Promise.race([gate.held, run.exited.then(() => undefined)]);
      assert.ok(stoppedAt !== undefined, `${what}: the deploy reached the gate; it said:\n${run.output()}`);
      run.child.kill('SIGKILL');
      assert.equal((await run.exited).signal, 'SIGKILL');
      await gate.close();
      // A write of another target of the same step may have been on its way already.
      assert.ok(gate.accepted.length >= k, `${what}: ${gate.accepted.length} entries written`);
      const [killed] = await t.store.listDeployments({ environment: 'prod', limit: 1 });
      assert.equal(killed.version, version, `${what}: the killed deployment was recorded`);
      const leftRunning = killed.state === 'running';
      const newRelease = `${version}-${killed.digest.slice(0, 12)}`;
      const committed = gate.accepted.some((e) => e.step === 'commit');
      assert.equal(committed, k > committedAt, what);
      // The holder is known dead: break its lock as docs/deploy.md says (a lease that passes by itself is engine-kill.test.ts's case).
      const broken = await cli(ws, t, '--token', TOKENS.admin, 'lock', 'release', 'prod', '--force', '--reason', 'deployer killed');
      assert.equal(broken.code, 0, `${what}: ${broken.out}`);
      if (k % 3 === 2) {
        // The next deploy finishes the killed one first, then deploys.
        const next = await cli(ws, t, 'deploy', 'prod', '--artifact', await ws.artifact(`3.0.${k}`), '--wait-lock', '60s');
        assert.equal(next.code, 0, `${what}: ${next.out}`);
        if (leftRunning) assert.match(next.out, committed ? /was committed before it stopped: completing it/ : /did not finish: rolling back every target it touched/, what);
        const [latest] = await t.store.listDeployments({ environment: 'prod', limit: 1 });
        current = `3.0.${k}-${latest.digest.slice(0, 12)}`;
      } else {
        const recovered = await cli(ws, t, 'recover', 'prod', '--wait-lock', '60s');
        assert.equal(recovered.code, 0, `${what}: ${recovered.out}`);
        if (committed) current = newRelease;
      }
      assert.equal((await t.store.getDeployment(killed.id))?.state, committed ? 'succeeded' : 'interrupted', what);
      await assertSettled(ws, t, current, killed.id, what);
    }
  } finally {
    await t.dispose();
    await ws.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { pollUntil } from '../agent/poll.js';
import { heartbeat } from '../fleet/probes.js';
import { TestAgent } from '../support/agent-client.js';
import { TEST_ENV, testConfigYaml, TOKENS } from './harness.js';

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function spawnServer(dir: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['bin/pitcrew.js', '--config', join(dir, 'pitcrew.yml'), 'server', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exit };
}

test('`pitcrew server` serves until SIGTERM and exits 0; `select` and `runners` ask it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-cli-server-'));
  await writeFile(join(dir, 'pitcrew.yml'), testConfigYaml('2s'));
  const server = spawnServer(dir, ['--listen', '127.0.0.1:0', '--db', join(dir, 'state.db')], { ...TEST_ENV, PITCREW_WEBHOOK_SECRET: 'whsec' });
  let agent: TestAgent | undefined;
  try {
    const url = await pollUntil(() => /pitcrew server listening \{"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(server.stderr())?.[1], `the server to listen (stderr: ${server.stderr()})`, 15_000);
    const cli = async (...argv: string[]) => {
      const io = memoryIo({ cwd: dir });
      const code = await main(['--server', url, ...argv], { PITCREW_TOKEN: TOKENS.viewer, GITHUB_OUTPUT: join(dir, 'output') }, io);
      return { code, out: io.out(), err: io.err() };
    };

    const none = await cli('select', '--env', 'production');
    assert.equal(none.code, 3);
    assert.equal(none.out, '');
    assert.match(none.err, /no runner can deploy to production: primary offline/);

    agent = await TestAgent.connect(url, 'primary', TOKENS.agent);
    agent.pump(() => heartbeat(), 100);
    const chosen = await pollUntil(async () => {
      const r = await cli('select', '--env', 'production');
      // Until its hysteresis rates it online, the primary is chosen only as a degraded last resort, with a warning.
      return r.code === 0 && !r.err.includes('warning') ? r : undefined;
    }, 'primary to be selected while online', 10_000);
    assert.equal(chosen.out, 'primary\n');
    // Each successful select (the degraded last-resort ones too) appended its answer.
    const outputs = (await readFile(join(dir, 'output'), 'utf8')).split('\n').filter(Boolean);
    assert.ok(outputs.length >= 1 && outputs.every((l) => l === 'runner=primary'), outputs.join(' | '));

    const json = await cli('--json', 'select', '--env', 'production');
    assert.equal(JSON.parse(json.out).considered[1].name, 'secondary');

    const table = await cli('runners');
    assert.equal(table.code, 0);
    assert.match(table.out, /^NAME\s+STATE\s+PRIORITY/);
    assert.match(table.out, /\nprimary\s+online\s+1\s/);
    assert.match(table.out, /\nsecondary\s+offline\s+2\s+never/);

    const denied = await main(['--server', url, 'runners'], { PITCREW_TOKEN: 'wrong-token-value' }, memoryIo());
    assert.equal(denied, 2);

    await agent.close();
    server.child.kill('SIGTERM');
    assert.equal(await server.exit, 0);
    assert.match(server.stderr(), /stopping \{"signal":"SIGTERM"\}/);
    assert.doesNotMatch(server.stderr(), new RegExp(`${TOKENS.agent}|${TOKENS.viewer}|whsec`));
  } finally {
    await agent?.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('`pitcrew server` without tokens refuses a non-loopback --listen with exit 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-cli-server-'));
  await writeFile(join(dir, 'pitcrew.yml'), 'project: shop\nrunners:\n  - { name: primary }\n');
  try {
    const server = spawnServer(dir, ['--listen', '0.0.0.0:0', '--db', join(dir, 'state.db')], {});
    assert.equal(await server.exit, 2);
    assert.match(server.stderr(), /refusing to listen on 0\.0\.0\.0:0 without API tokens/);
    assert.match(server.stderr(), /hint: create an admin token with: pitcrew token create --role admin --name NAME \(or add server\.tokens/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('`pitcrew server` names an unset token variable and exits 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-cli-server-'));
  await writeFile(join(dir, 'pitcrew.yml'), testConfigYaml());
  try {
    const io = memoryIo({ cwd: dir });
    const code = await main(['--config', join(dir, 'pitcrew.yml'), 'server', '--db', join(dir, 'state.db')], { T_VIEWER: 'x' }, io);
    assert.equal(code, 2);
    assert.match(io.err(), /server\.tokens\[1\] \(ci\): variable T_DEPLOYER is not set/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

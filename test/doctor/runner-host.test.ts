import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort, doctor, tempDir, writeConfig } from './helpers.js';

test('names the runner service as failed with the runner-offline runbook once the runner process is killed', async (t) => {
  const dir = tempDir(t);
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.after(() => void child.kill('SIGKILL'));
  const pidFile = join(dir, 'runner.pid');
  writeFileSync(pidFile, `${child.pid}\n`);
  const env = { PITCREW_AGENT_URL: `http://127.0.0.1:${await closedPort()}` };
  const args = ['--runner', 'ci-1', '--pid-file', pidFile, '--work-dir', dir];

  const before = await doctor(args, env, dir);
  assert.equal(before.check('runner.service').status, 'pass');

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const after = await doctor(args, env, dir);
  const service = after.check('runner.service');
  assert.equal(service.status, 'fail');
  assert.match(service.evidence.join('\n'), new RegExp(`process ${child.pid}`));
  assert.equal(service.runbook, 'docs/runbooks/runner-offline.md');
  assert.equal(after.code, 1);
  assert.match(after.out, /FAIL {2}runner\.service/);
  assert.match(after.out, /runbook: docs\/runbooks\/runner-offline\.md/);
});

test('says it runs on a runner host with local probes when given local flags, and reports the unreachable agent', async (t) => {
  const dir = tempDir(t);
  const port = await closedPort();
  const run = await doctor(['--runner', 'ci-1', '--agent', `http://127.0.0.1:${port}`, '--work-dir', dir], {}, dir);
  assert.equal(run.report.mode, 'runner-host');
  assert.match(run.out.split('\n')[0], /running on a runner host \(local probes \+ server view\)/);
  const agent = run.check('agent.reachable');
  assert.equal(agent.status, 'fail');
  assert.match(agent.evidence[0], /ECONNREFUSED/);
  assert.equal(agent.runbook, 'docs/runbooks/runner-offline.md');
});

test('fails the disk check with the disk-full runbook when the threshold makes the real filesystem full', async (t) => {
  const dir = tempDir(t);
  writeConfig(
    dir,
    `project: shop
runners:
  - { name: ci-1, thresholds: { diskFreeMinRatio: 0.999 } }
`,
  );
  const env = { PITCREW_AGENT_URL: `http://127.0.0.1:${await closedPort()}` };
  const run = await doctor(['--runner', 'ci-1', '--work-dir', dir], env, dir);
  const disk = run.check('host.disk');
  assert.equal(disk.status, 'fail');
  assert.match(disk.evidence.join('\n'), new RegExp(`< 99\\.9% on ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(disk.runbook, 'docs/runbooks/runner-disk-full.md');
  assert.match(disk.fix ?? '', /^df -h /);
  assert.equal(run.check('host.memory').status, 'pass');
  assert.equal(run.code, 1);
});

test('finishes within its deadlines when the agent accepts connections and never answers', async (t) => {
  const dir = tempDir(t);
  const { createServer } = await import('node:http');
  const hung = createServer(() => undefined);
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  t.after(() => {
    hung.closeAllConnections();
    hung.close();
  });
  const port = (hung.address() as { port: number }).port;
  const run = await doctor(['--runner', 'ci-1', '--agent', `http://127.0.0.1:${port}`, '--work-dir', dir, '--timeout', '300ms'], {}, dir);
  const agent = run.check('agent.reachable');
  assert.equal(agent.status, 'fail');
  assert.match(agent.evidence[0], /no answer within 300 ms/);
});

test('with neither a runner nor an environment it is a usage error that says what to pass', async (t) => {
  const dir = tempDir(t);
  const { main } = await import('../../src/cli/main.js');
  const { memoryIo } = await import('../../src/cli/io.js');
  const io = memoryIo({ cwd: dir });
  const code = await main(['doctor'], { PITCREW_AGENT_URL: `http://127.0.0.1:${await closedPort()}` }, io);
  assert.equal(code, 2);
  assert.match(io.err(), /--runner NAME or --env ENV/);
});

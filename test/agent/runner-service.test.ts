import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { probeRunnerService } from '../../src/agent/probes/runner-service.js';
import type { Exec } from '../../src/agent/probes/exec.js';

const now = () => 1_700_000_000_000;

/** A systemctl that answers only the calls listed, and fails the test on any other. */
function fakeSystemctl(answers: Record<string, { code: number; stdout: string }>): Exec & { calls: string[] } {
  const calls: string[] = [];
  const exec: Exec = async (file, args) => {
    const key = [file, ...args].join(' ');
    calls.push(key);
    const a = answers[key];
    if (!a) throw new Error(`unexpected command: ${key}`);
    return { code: a.code, stdout: a.stdout, stderr: '' };
  };
  return Object.assign(exec, { calls });
}

test('an active systemd unit is ok and reports its restart count', async () => {
  const exec = fakeSystemctl({
    'systemctl show -p ActiveState -p NRestarts actions.runner.acme.web-1.service': { code: 0, stdout: 'NRestarts=3\nActiveState=active\n' },
  });
  const r = await probeRunnerService({ systemdUnit: 'actions.runner.acme.web-1.service' }, { exec, now });
  assert.equal(r.ok, true);
  assert.equal(r.error, undefined);
  assert.equal(r.value, 3);
  assert.equal(r.unit, 'restarts');
  assert.match(r.detail, /is active, 3 restarts/);
  assert.equal(exec.calls.length, 1, 'one systemctl process a probe');
});

test('a failed systemd unit is a definitive not-ok pointing at journalctl', async () => {
  const exec = fakeSystemctl({
    'systemctl show -p ActiveState -p NRestarts runner.service': { code: 0, stdout: 'ActiveState=failed\nNRestarts=7\n' },
  });
  const r = await probeRunnerService({ systemdUnit: 'runner.service' }, { exec, now });
  assert.equal(r.ok, false);
  assert.equal(r.error, undefined, 'a down service is an answer, not a probe error');
  assert.match(r.detail, /runner.service is failed, 7 restarts; see `journalctl -u runner.service`/);
});

test('a systemd without NRestarts (before 235) gives the state alone; no systemd at all is a definitive unknown', async () => {
  const old = await probeRunnerService(
    { systemdUnit: 'runner.service' },
    { exec: fakeSystemctl({ 'systemctl show -p ActiveState -p NRestarts runner.service': { code: 0, stdout: 'ActiveState=activating\n' } }), now },
  );
  assert.equal(old.ok, false);
  assert.equal(old.value, undefined);
  assert.equal(old.detail, 'runner.service is activating; see `journalctl -u runner.service`');
  const none = await probeRunnerService(
    { systemdUnit: 'runner.service' },
    { exec: fakeSystemctl({ 'systemctl show -p ActiveState -p NRestarts runner.service': { code: 1, stdout: '' } }), now },
  );
  assert.equal(none.ok, false);
  assert.equal(none.error, undefined);
  assert.equal(none.facts?.state, 'unknown');
});

test('a missing systemctl is a probe error, not a down service', async () => {
  const exec: Exec = async () => {
    throw Object.assign(new Error('spawn systemctl ENOENT'), { code: 'ENOENT' });
  };
  const r = await probeRunnerService({ systemdUnit: 'runner.service' }, { exec, now });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'ENOENT');
  assert.match(r.detail, /could not ask systemd about runner.service/);
});

test('a pid file naming a live process is ok; once the process is killed the pid file is stale', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitcrew-pid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  const pidFile = join(dir, 'runner.pid');
  writeFileSync(pidFile, `${child.pid}\n`);

  const alive = await probeRunnerService({ pidFile }, { now });
  assert.equal(alive.ok, true, alive.detail);
  assert.equal(alive.facts?.pid, child.pid);

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
  const dead = await probeRunnerService({ pidFile }, { now });
  assert.equal(dead.ok, false);
  assert.equal(dead.error, undefined);
  assert.match(dead.detail, new RegExp(`stale pid file .*runner\\.pid: process ${child.pid} `));
});

test('a missing pid file means the runner is not running', async () => {
  const r = await probeRunnerService({ pidFile: join(tmpdir(), 'pitcrew-no-such-dir', 'runner.pid') }, { now });
  assert.equal(r.ok, false);
  assert.equal(r.error, undefined);
  assert.match(r.detail, /does not exist: the runner is not running/);
});

test('a pid file with garbage in it is a probe error that quotes the content', async () => {
  const r = await probeRunnerService({ pidFile: '/x/runner.pid' }, { readFile: async () => 'hello\n', now });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'EBADPID');
  assert.match(r.detail, /holds "hello", not a process id/);
});

test('a process owned by another user (EPERM) still counts as alive', async () => {
  const r = await probeRunnerService(
    { pidFile: '/x/runner.pid' },
    {
      readFile: async () => '4242',
      signalZero: () => {
        throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      },
      procRoot: join(tmpdir(), 'pitcrew-no-proc-here'),
      now,
    },
  );
  assert.equal(r.ok, true, r.detail);
});

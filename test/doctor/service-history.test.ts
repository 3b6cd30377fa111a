import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDoctor } from '../../src/doctor/index.js';

test('shows systemd\'s record of the runner unit: last start, last stop, exit status and restarts', async () => {
  const calls: string[][] = [];
  const report = await runDoctor(
    { runner: 'ci-1', agentUrl: 'http://127.0.0.1:1', agentExplicit: false, service: { systemdUnit: 'actions.runner.acme.ci-1.service' }, cwd: process.cwd(), env: {}, timeoutMs: 1000 },
    {
      runProbes: async () => [{ probe: 'runner-service', ok: false, detail: 'actions.runner.acme.ci-1.service is failed, 4 restarts; see `journalctl -u actions.runner.acme.ci-1.service`', facts: { unit: 'actions.runner.acme.ci-1.service', state: 'failed', restarts: 4 }, at: Date.now() }],
      exec: async (file, args) => {
        calls.push([file, ...args]);
        return { code: 0, stdout: 'ActiveState=failed\nActiveEnterTimestamp=Thu 2026-11-26 09:00:00 UTC\nInactiveEnterTimestamp=Thu 2026-11-26 10:02:00 UTC\nExecMainStatus=1\nNRestarts=4\nResult=exit-code\n', stderr: '' };
      },
    },
  );
  const service = report.checks.find((c) => c.id === 'runner.service');
  assert.equal(service?.status, 'fail');
  assert.deepEqual(service?.evidence.slice(1), ['systemd: last started Thu 2026-11-26 09:00:00 UTC; last stopped Thu 2026-11-26 10:02:00 UTC; main process exit status 1; result exit-code']);
  assert.equal(service?.fix, 'sudo systemctl restart actions.runner.acme.ci-1.service && journalctl -u actions.runner.acme.ci-1.service -n 50');
  assert.equal(calls[0][1], 'show');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import type { Transport } from '../../src/deploy/transports/transport.js';
import { runDoctor } from '../../src/doctor/index.js';
import { ExitCode, PitcrewError } from '../../src/errors.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const { config } = parseConfigText(
  `project: shop
environments:
  production:
    transport: ssh
    path: /srv/shop
    targets:
      - { name: web-1, host: 127.0.0.2, user: deploy, hostKey: "${KEY}" }
      - { name: web-2, host: 127.0.0.3, user: deploy, hostKey: "${KEY}" }
`,
  'pitcrew.yml',
  {},
);

/** The ssh transport's answer for a host whose key changed: a typed error whose code names the host key. */
const mismatching: Transport = {
  kind: 'ssh',
  async open(target) {
    if (target.name === 'web-2') throw new PitcrewError('ssh.host-key-mismatch', `host key of 127.0.0.3:22 is not the one pinned for ${target.name}`, ExitCode.usage);
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.2:22'), { code: 'ECONNREFUSED' });
  },
};

test('an error whose code names the host key fails targets.host-keys, apart from unreachable targets', async () => {
  const report = await runDoctor(
    { environment: 'production', agentUrl: 'http://127.0.0.1:1', agentExplicit: false, config, cwd: process.cwd(), env: {}, timeoutMs: 1000 },
    { transportFor: () => mismatching },
  );
  const hostKeys = report.checks.find((c) => c.id === 'targets.host-keys');
  assert.equal(hostKeys?.status, 'fail');
  assert.deepEqual(hostKeys?.evidence, ['web-2 (127.0.0.3:22): host key of 127.0.0.3:22 is not the one pinned for web-2']);
  assert.equal(hostKeys?.runbook, 'docs/runbooks/target-host-key-changed.md');
  assert.equal(hostKeys?.fix, 'ssh-keyscan -p 22 127.0.0.3 2>/dev/null | ssh-keygen -lf -');
  const reachable = report.checks.find((c) => c.id === 'targets.reachable');
  assert.equal(reachable?.status, 'fail');
  assert.equal(reachable?.fix, 'nc -vz -w 3 127.0.0.2 22');
  assert.equal(report.exitCode, 1);
});

test('a target that hangs is reported within the deadline instead of hanging doctor', async () => {
  const hanging: Transport = { kind: 'ssh', open: () => new Promise(() => undefined) };
  const report = await runDoctor(
    { environment: 'production', agentUrl: 'http://127.0.0.1:1', agentExplicit: false, config, cwd: process.cwd(), env: {}, timeoutMs: 200 },
    { transportFor: () => hanging },
  );
  const reachable = report.checks.find((c) => c.id === 'targets.reachable');
  assert.equal(reachable?.status, 'fail');
  assert.match(reachable?.evidence.join('\n') ?? '', /inspect target web-1: no answer within 200 ms/);
});

test('a real sshd presenting another host key than the pinned one fails targets.host-keys with its runbook', async (t) => {
  const { startSshd, makeKey } = await import('../support/sshd.js');
  const { tempDir, writeConfig, doctor } = await import('./helpers.js');
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const dir = tempDir(t);
  // The host key the configuration pins is a fresh one, not the one this sshd presents: as after a host was rebuilt.
  const other = await makeKey(dir, 'rebuilt_host');
  const path = join(dir, 'srv');
  mkdirSync(path);
  writeConfig(dir, `project: shop
server:
  database: ./pitcrew.db
environments:
  production:
    transport: ssh
    path: ${path}
    targets:
      - { name: web-1, host: ${sshd.host}, port: ${sshd.port}, user: ${sshd.user}, hostKey: "${other.publicLine.split(' ').slice(0, 2).join(' ')}", identityFile: ${sshd.clientKeyPath} }
`);
  const run = await doctor(['--env', 'production'], { PITCREW_AGENT_URL: 'http://127.0.0.1:1' }, dir);
  const hostKeys = run.check('targets.host-keys');
  assert.equal(hostKeys.status, 'fail', JSON.stringify(hostKeys));
  assert.match(hostKeys.evidence.join('\n'), new RegExp(`web-1 \\(${sshd.host.replaceAll('.', '\\.')}:${sshd.port}\\)`));
  assert.equal(hostKeys.runbook, 'docs/runbooks/target-host-key-changed.md');
  assert.equal(run.code, 1);
});

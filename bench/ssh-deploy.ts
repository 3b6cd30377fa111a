/**
 * A deploy to 20 SSH targets: stage a 1 MiB artifact, switch and check, on
 * 20 hosts served by one real sshd on 127.0.0.2 ... 127.0.0.21 (see
 * support/loopback-hosts.ts), in a network namespace of the bench's own. Each pitcrew trial is a whole `pitcrew deploy`
 * process (a new version each time, all targets in one batch, a command
 * health check), timed from spawn to exit. Then the same work as the Ansible
 * playbook in bench/ansible/ (forks 20, pipelining), timed the same way, if
 * `ansible-playbook` is installed. Prints median and p95 of each and the
 * ratio of the medians, and the processor time of each pitcrew trial: the
 * deployer process's, and the hosts' (sshd and everything it started, read
 * from sshd's /proc times once every session has ended). Asserts nothing.
 * The payload is 1 MiB of random bytes, which gzip cannot shrink (the ssh
 * transport then sends the archive as plain tar); `--compressible` makes it
 * 1 MiB of generated source code instead (sent compressed).
 *
 *   npm run build && node dist/bench/ssh-deploy.js [pitcrew trials, default 5] [ansible trials, default 3] [--compressible]
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT, PITCREW_BIN, cleanEnv } from '../test/scenarios/support/cli.js';
import { Scope } from '../test/scenarios/support/scope.js';
import { benchArtifact, type Payload } from './support/artifact.js';
import { cpuTimes, total } from './support/cpu.js';
import { startLoopbackHosts } from './support/loopback-hosts.js';
import { inPrivateNetwork } from './support/netns.js';
import { benchConfig } from './support/pitcrew-env.js';
import { ascending, quantile, seconds } from './support/stats.js';
import { poll } from '../test/scenarios/support/poll.js';
import { childrenOf } from '../test/scenarios/support/ssh-hosts.js';
import { timedRun } from './support/timed-run.js';

const options = process.argv.slice(2).filter((a) => a.startsWith('--'));
const counts = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const o of options) if (o !== '--compressible') throw new Error(`unknown option ${o} (the only one is --compressible)`);
const pitcrewTrials = Number(counts[0] ?? 5);
const ansibleTrials = Number(counts[1] ?? 3);
const payload: Payload = options.includes('--compressible') ? 'text' : 'random';
const TARGETS = 20;
const ARTIFACT_BYTES = 1024 * 1024;

/** Narration lines that start a phase, for the breakdown of the median trial. */
const MARKS: Array<[string, RegExp]> = [
  ['artifact verified', /^artifact .* verified/],
  ['lock taken', /^lock on \S+ taken/],
  ['staging', /^staging /],
  ['switching', /^switching batch /],
  ['deployed', /^deployed /],
];

async function ansiblePlaybook(): Promise<string | undefined> {
  try {
    await promisify(execFile)('ansible-playbook', ['--version']);
    return 'ansible-playbook';
  } catch {
    return undefined;
  }
}

await inPrivateNetwork();
const scope = new Scope();
try {
  const hosts = await startLoopbackHosts(scope, TARGETS);
  const dir = await scope.tempDir('pitcrew-bench-deploy-');
  const configPath = await benchConfig(dir, hosts, [{ kind: 'command', name: 'release answers', run: 'test -f VERSION', retries: 0, timeout: '10s' }]);
  const what = payload === 'random' ? '1 MiB of random bytes (incompressible: sent as plain tar)' : '1 MiB of generated source code (compressible: sent as .tar.gz)';
  console.log(`deploy of an artifact of ${what} to ${TARGETS} SSH targets (one sshd on ${hosts.hosts[0]}..${hosts.hosts.at(-1)}:${hosts.port}), load average ${loadavg()[0].toFixed(2)}`);

  const pitcrew: number[] = [];
  const deployerCpu: number[] = [];
  const hostsCpu: number[] = [];
  const breakdowns: string[] = [];
  for (let i = 0; i < pitcrewTrials + 1; i++) {
    const version = `1.0.${i}`;
    const artifact = await benchArtifact(dir, version, ARTIFACT_BYTES, {}, payload);
    const before = await Promise.all([cpuTimes('self'), cpuTimes(hosts.sshd.pid)]);
    const r = await timedRun(process.execPath, [PITCREW_BIN, '--config', configPath, 'deploy', 'bench', '--artifact', artifact], {
      env: cleanEnv({ RUNNER_NAME: 'bench', GITHUB_ACTOR: 'bench' }), cwd: dir,
    });
    if (r.code !== 0) throw new Error(`pitcrew deploy of ${version} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    // sshd adds a session's time to its own children's once it has reaped it: wait until every session has ended.
    await poll('the bench sshd to reap every session of the deploy', async () => ((await childrenOf(hosts.sshd.pid)).length === 0 ? true : undefined), { deadlineMs: 30_000, everyMs: 20 });
    const after = await Promise.all([cpuTimes('self'), cpuTimes(hosts.sshd.pid)]);
    // The first deploy finds empty targets (nothing to capture, nothing to prune): a warm-up, not timed.
    if (i === 0) continue;
    pitcrew.push(r.ms);
    const deployer = after[0].children - before[0].children;
    const onHosts = total(after[1]) - total(before[1]);
    deployerCpu.push(deployer);
    hostsCpu.push(onHosts);
    const marks = MARKS.map(([name, re]) => `${name} ${Math.round(r.lines.find((l) => re.test(l.line))?.at ?? NaN)} ms`);
    breakdowns.push(`${seconds(r.ms)}: ${marks.join(', ')}; CPU deployer ${Math.round(deployer)} ms, hosts ${Math.round(onHosts)} ms`);
  }
  const p = ascending(pitcrew);
  console.log(`pitcrew trials (wall time; when each phase began; processor time):\n${breakdowns.map((b) => `  ${b}`).join('\n')}`);

  const tool = await ansiblePlaybook();
  let a: number[] = [];
  if (tool === undefined) {
    console.log('ansible-playbook is not installed: the Ansible half is skipped (apt-get install -y ansible to run it)');
  } else {
    const ansibleDir = join(PACKAGE_ROOT, 'bench', 'ansible');
    for (let i = 0; i < ansibleTrials; i++) {
      const version = `2.0.${i}`;
      const artifact = await benchArtifact(dir, version, ARTIFACT_BYTES);
      // A fresh home per trial: no ssh ControlMaster socket survives from the last one, as on a new CI job.
      const home = join(dir, `ansible-home-${i}`);
      await mkdir(home);
      const vars = join(dir, `ansible-vars-${i}.json`);
      await writeFile(vars, JSON.stringify({
        ansible_port: hosts.port, ansible_ssh_private_key_file: hosts.identityFile,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${hosts.knownHostsFile} -o StrictHostKeyChecking=yes`,
        app_path: '/srv/shop-ansible', release: version, artifact,
      }));
      const r = await timedRun(tool, ['-i', join(ansibleDir, 'inventory.ini'), join(ansibleDir, 'deploy.yml'), '-e', `@${vars}`], {
        env: cleanEnv({ HOME: home, ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg'), ANSIBLE_HOME: join(home, '.ansible'), ANSIBLE_NOCOLOR: '1' }), cwd: dir,
      });
      if (r.code !== 0) throw new Error(`ansible-playbook for ${version} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
      a.push(r.ms);
      console.log(`  ansible trial ${i + 1}: ${seconds(r.ms)}`);
    }
    a = ascending(a);
  }

  console.log('');
  console.log('| tool | trials | median | p95 | min | max |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(`| pitcrew deploy | ${p.length} | ${seconds(quantile(p, 0.5))} | ${seconds(quantile(p, 0.95))} | ${seconds(p[0])} | ${seconds(p[p.length - 1])} |`);
  console.log(`\npitcrew processor time per deploy, median: deployer ${seconds(quantile(ascending(deployerCpu), 0.5))}, hosts ${seconds(quantile(ascending(hostsCpu), 0.5))}`);
  if (a.length > 0) {
    console.log(`| ansible-playbook | ${a.length} | ${seconds(quantile(a, 0.5))} | ${seconds(quantile(a, 0.95))} | ${seconds(a[0])} | ${seconds(a[a.length - 1])} |`);
    console.log(`\npitcrew is ${(quantile(a, 0.5) / quantile(p, 0.5)).toFixed(1)} times faster (ratio of the medians)`);
  }
} finally {
  await scope.close();
}

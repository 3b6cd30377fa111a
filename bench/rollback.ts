/**
 * Rollback of 20 SSH targets after a failed health check: the same 20 hosts
 * as ssh-deploy.ts (one sshd, a network namespace of the bench's own). After
 * a good deploy, each trial deploys a release whose health check fails on
 * one target (all 20 switched in one batch), and reads the deployment's
 * journal: the time from the failed `health` step to the last
 * `rollback.health` step that passed, when every target is back and checked.
 * Prints median and p95; asserts nothing.
 *
 *   npm run build && node dist/bench/rollback.js [trials, default 5]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PITCREW_BIN, cleanEnv } from '../test/scenarios/support/cli.js';
import { Scope } from '../test/scenarios/support/scope.js';
import { openStore } from '../src/store/index.js';
import { benchArtifact } from './support/artifact.js';
import { startLoopbackHosts } from './support/loopback-hosts.js';
import { inPrivateNetwork } from './support/netns.js';
import { benchConfig } from './support/pitcrew-env.js';
import { ascending, quantile, seconds } from './support/stats.js';
import { timedRun } from './support/timed-run.js';

const trials = Number(process.argv[2] ?? 5);
const TARGETS = 20;
const FAILING = `web-${TARGETS}`;

interface Timing {
  failedAt: number;
  backAt: number;
  checkedBack: number;
}

/** Reads the newest deployment's journal: when the health check failed, when the last target was back and checked. */
async function journalTimes(dbPath: string): Promise<Timing> {
  const store = await openStore(dbPath);
  try {
    const [newest] = (await store.listDeployments({ environment: 'bench' })).sort((a, b) => b.startedAt - a.startedAt);
    const journal = await store.listJournal(newest.id);
    const failed = journal.find((e) => e.step === 'health' && e.phase === 'failed');
    const back = journal.filter((e) => e.step === 'rollback.health' && e.phase === 'succeeded');
    if (failed === undefined || back.length === 0) throw new Error(`deployment ${newest.id} has no failed health check or no checked rollback: ${journal.map((e) => `${e.step}/${e.phase}`).join(' ')}`);
    return { failedAt: failed.at, backAt: Math.max(...back.map((e) => e.at)), checkedBack: back.length };
  } finally {
    await store.close();
  }
}

await inPrivateNetwork();
const scope = new Scope();
try {
  const hosts = await startLoopbackHosts(scope, TARGETS);
  const dir = await scope.tempDir('pitcrew-bench-rollback-');
  const configPath = await benchConfig(dir, hosts, [{ kind: 'command', name: 'no fail marker', run: 'test ! -e "fail-$PITCREW_TARGET"', retries: 0, timeout: '10s' }]);
  const deploy = async (version: string, extra: Record<string, string> = {}) => {
    const artifact = await benchArtifact(dir, version, 64 * 1024, extra);
    return timedRun(process.execPath, [PITCREW_BIN, '--config', configPath, 'deploy', 'bench', '--artifact', artifact], {
      env: cleanEnv({ RUNNER_NAME: 'bench', GITHUB_ACTOR: 'bench' }), cwd: dir,
    });
  };
  const good = await deploy('1.0.0');
  if (good.code !== 0) throw new Error(`the first deploy failed (exit ${good.code}):\n${good.stdout}\n${good.stderr}`);
  console.log(`rollback of ${TARGETS} SSH targets after a failed health check on ${FAILING}, load average ${loadavg()[0].toFixed(2)}`);
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const r = await deploy(`2.0.${i}`, { [`fail-${FAILING}`]: 'this release fails its health check here\n' });
    if (r.code !== 1) throw new Error(`deploy 2.0.${i} should have been rolled back (exit 1), exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    const t = await journalTimes(join(dir, 'pitcrew.db'));
    if (t.checkedBack !== TARGETS) throw new Error(`only ${t.checkedBack} of ${TARGETS} targets were checked after the rollback`);
    times.push(t.backAt - t.failedAt);
    console.log(`  trial ${i + 1}: ${seconds(t.backAt - t.failedAt)} from the failed check to ${t.checkedBack} targets back and checked (whole deploy ${seconds(r.ms)})`);
  }
  const s = ascending(times);
  console.log('');
  console.log('| trials | median | p95 | min | max |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| ${s.length} | ${seconds(quantile(s, 0.5))} | ${seconds(quantile(s, 0.95))} | ${seconds(s[0])} | ${seconds(s[s.length - 1])} |`);
} finally {
  await scope.close();
}

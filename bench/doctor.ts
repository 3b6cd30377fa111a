/**
 * Time to diagnose: a real server and agent watching a stand-in runner; for
 * each fault (the runner process killed, the agent killed, the runner's disk
 * below its threshold) the fault is made for real and `pitcrew doctor
 * --runner primary` is run on the runner host, timing how long doctor takes
 * to name the failing check. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/doctor.js
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Fleet, Scope, TOKENS, runPitcrew } from '../test/scenarios/support/index.js';

interface DoctorJson {
  checks: Array<{ id: string; status: string; runbook?: string }>;
}

async function diagnose(fleet: Fleet, expect: string): Promise<{ ms: number; runbook?: string }> {
  const t0 = performance.now();
  const r = await runPitcrew([
    '--config', fleet.configPath, '--server', fleet.serverUrl, '--json', 'doctor', '--runner', 'primary',
    '--agent', fleet.agentUrl('primary'), '--pid-file', join(fleet.dir, 'runners', 'primary', 'runner.pid'), '--work-dir', fleet.workDir('primary'),
  ], { env: { PITCREW_TOKEN: TOKENS.viewer.value }, cwd: fleet.dir, timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  const report = JSON.parse(r.stdout) as DoctorJson;
  const hit = report.checks.find((c) => c.id === expect && c.status === 'fail');
  if (!hit) throw new Error(`doctor did not fail ${expect}: ${r.stdout.slice(0, 2000)}`);
  return { ms, runbook: hit.runbook };
}

const scope = new Scope();
try {
  const fleet = await Fleet.create(scope, {
    runners: [{ name: 'primary', priority: 1, thresholds: { diskFreeMinBytes: '1024TiB', heartbeatTimeout: '10s' } }, { name: 'secondary', priority: 2 }],
  });
  await fleet.startServer();
  await fleet.startAgent('primary');
  const rows: string[] = [];
  const row = (fault: string, r: { ms: number; runbook?: string }, check: string) =>
    rows.push(`| ${fault} | \`${check}\` | ${r.runbook ?? ''} | ${(r.ms / 1000).toFixed(1)} s |`);
  row('disk below the runner\'s threshold', await diagnose(fleet, 'host.disk'), 'host.disk');
  void fleet.runners.get('primary')!.stop('SIGKILL');
  row('runner process killed', await diagnose(fleet, 'runner.service'), 'runner.service');
  void fleet.agents.get('primary')!.stop('SIGKILL');
  row('agent killed', await diagnose(fleet, 'agent.reachable'), 'agent.reachable');
  console.log(`time for pitcrew doctor to name the fault, load average ${loadavg()[0].toFixed(2)}`);
  console.log('| fault | failing check | runbook | doctor wall time |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await scope.close();
}

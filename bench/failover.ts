/**
 * Failover detection: a real `pitcrew server` and two real `pitcrew agent`
 * processes (primary, secondary) each watching a stand-in runner process.
 * Each trial SIGKILLs the primary's runner process (or its agent) and times
 * how long until the server's `select` for the environment names the
 * secondary; then brings the primary back and waits until it is chosen again.
 * Prints median and p95 per mode; asserts nothing.
 *
 *   npm run build && node dist/bench/failover.js [trials per mode, default 20]
 */
import { loadavg } from 'node:os';
import { Fleet, Scope, TOKENS } from '../test/scenarios/support/index.js';

const trials = Number(process.argv[2] ?? 20);

async function selected(fleet: Fleet): Promise<string | null> {
  const res = await fetch(`${fleet.serverUrl}/api/v1/select?env=production`, { headers: { authorization: `Bearer ${TOKENS.viewer.value}` } });
  const body = (await res.json()) as { runner?: string | null };
  return body.runner ?? null;
}

/** Polls every 10 ms until `select` names `runner`; returns the elapsed milliseconds. */
async function timeUntilSelected(fleet: Fleet, runner: string, deadlineMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    if ((await selected(fleet)) === runner) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`select did not name ${runner} within ${deadlineMs} ms`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function run(mode: 'runner' | 'agent', fleet: Fleet): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    await timeUntilSelected(fleet, 'primary');
    const victim = mode === 'runner' ? fleet.runners.get('primary') : fleet.agents.get('primary');
    void victim!.stop('SIGKILL');
    times.push(await timeUntilSelected(fleet, 'secondary'));
    if (mode === 'runner') await fleet.startStandInRunner('primary');
    else await fleet.startAgent('primary');
  }
  return times.sort((a, b) => a - b);
}

const scope = new Scope();
try {
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }] });
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');
  console.log(`failover detection, ${trials} trials per mode, load average ${loadavg()[0].toFixed(2)} on this machine`);
  console.log('| SIGKILL of | median | p95 | max |');
  console.log('| --- | --- | --- | --- |');
  for (const mode of ['runner', 'agent'] as const) {
    const t = await run(mode, fleet);
    const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`| the ${mode === 'runner' ? 'runner process' : 'agent'} | ${f(quantile(t, 0.5))} | ${f(quantile(t, 0.95))} | ${f(t[t.length - 1])} |`);
  }
} finally {
  await scope.close();
}

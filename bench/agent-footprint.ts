/**
 * Agent footprint: a real `pitcrew agent` (default 1 s probe interval)
 * connected to a real `pitcrew server`, watching a stand-in runner process.
 * After a warm-up, samples the agent's resident memory and CPU time from
 * /proc for a measuring window. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/agent-footprint.js [seconds, default 60]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Fleet, Scope } from '../test/scenarios/support/index.js';

const seconds = Number(process.argv[2] ?? 60);
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  // Fields after the command name: utime is the 14th, stime the 15th of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

const scope = new Scope();
try {
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }] });
  await fleet.startServer();
  const agent = await fleet.startAgent('primary');
  await new Promise((r) => setTimeout(r, 10_000));
  const t0 = Date.now();
  const c0 = cpuTicks(agent.pid);
  let peak = 0;
  while (Date.now() - t0 < seconds * 1000) {
    peak = Math.max(peak, rssMiB(agent.pid));
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cpuSeconds = (cpuTicks(agent.pid) - c0) / TICKS;
  const wall = (Date.now() - t0) / 1000;
  console.log(`agent footprint over ${wall.toFixed(0)} s after a 10 s warm-up, load average ${loadavg()[0].toFixed(2)}`);
  console.log('| figure | value |');
  console.log('| --- | --- |');
  console.log(`| peak resident memory | ${peak.toFixed(1)} MiB |`);
  console.log(`| CPU, share of one core | ${((cpuSeconds / wall) * 100).toFixed(2)} % |`);
} finally {
  await scope.close();
}

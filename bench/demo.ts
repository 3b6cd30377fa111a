/**
 * The demo's wall time: `pitcrew demo --exit` in a fresh folder, run a few
 * times, from process start to exit. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/demo.js [runs, default 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPitcrew } from '../test/scenarios/support/index.js';

const runs = Number(process.argv[2] ?? 3);
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-demo-bench-'));
  try {
    const t0 = performance.now();
    const r = await runPitcrew(['demo', '--exit', '--dir', join(dir, 'demo')], { cwd: dir, timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`demo exited ${r.code}: ${r.stderr.slice(-2000)}`);
    times.push(performance.now() - t0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
times.sort((a, b) => a - b);
console.log(`pitcrew demo --exit, ${runs} runs, load average ${loadavg()[0].toFixed(2)}`);
console.log(`min ${(times[0] / 1000).toFixed(1)} s, median ${(times[Math.floor(times.length / 2)] / 1000).toFixed(1)} s, max ${(times[times.length - 1] / 1000).toFixed(1)} s`);

/**
 * Masker throughput: the same synthetic CI log through SecretMasker streams
 * with 10, 100, 1,000 and 10,000 registered secrets (32 random characters
 * each, 11 forms each), next to a naive loop of
 * String.replaceAll per registered form. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/mask.js [MiB of log, default 64]
 */
import { loadavg } from 'node:os';
import { SecretMasker } from '../src/mask/masker.js';

const MiB = 1024 * 1024;
const logMiB = Number(process.argv[2] ?? 64);

/** A deterministic pseudo-random generator, so every run sees the same input. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomSecret(r: () => number): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += ALNUM[Math.floor(r() * ALNUM.length)];
  return s;
}

const WORDS = 'Run actions checkout fetch depth commit sha refs heads main npm ci install added packages audited found vulnerabilities deploy target release switch health check passed rollback node dist build compile test ok error warning step'.split(' ');
function logLine(r: () => number, secrets: string[]): string {
  const parts = [`2026-11-26T12:${String(Math.floor(r() * 60)).padStart(2, '0')}:00.${Math.floor(r() * 1000)}Z`];
  const n = 6 + Math.floor(r() * 10);
  for (let i = 0; i < n; i++) parts.push(WORDS[Math.floor(r() * WORDS.length)]);
  parts.push(Math.floor(r() * 2 ** 31).toString(16));
  if (secrets.length > 0 && r() < 0.001) parts.push(`token=${secrets[Math.floor(r() * secrets.length)]}`);
  return parts.join(' ') + '\n';
}

function makeLog(bytes: number, secrets: string[]): string {
  const r = rng(7);
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const l = logLine(r, secrets);
    lines.push(l);
    size += l.length;
  }
  return lines.join('');
}

function maskStreamed(masker: SecretMasker, log: string, chunk: number): number {
  const s = masker.stream();
  let outLen = 0;
  for (let i = 0; i < log.length; i += chunk) outLen += s.write(log.slice(i, i + chunk)).length;
  return outLen + s.end().length;
}

function naive(forms: string[], text: string): string {
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of sorted) out = out.replaceAll(f, '***');
  return out;
}

const rows: string[][] = [];
const header = ['secrets', 'forms', 'states', 'build ms', 'masker MiB/s', 'ns/byte', 'naive replaceAll MiB/s', 'speed-up'];
for (const count of [10, 100, 1000, 10000]) {
  const r = rng(count);
  const secrets = Array.from({ length: count }, () => randomSecret(r));
  const masker = new SecretMasker();
  const t0 = performance.now();
  for (const [i, s] of secrets.entries()) masker.register(s, `#${i}`);
  const ac = masker.automaton();
  const buildMs = performance.now() - t0;
  const log = makeLog(logMiB * MiB, secrets);

  maskStreamed(masker, log.slice(0, 4 * MiB), 65536); // warm-up
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    maskStreamed(masker, log, 65536);
    best = Math.min(best, performance.now() - t);
  }
  const mbps = log.length / MiB / (best / 1000);

  const forms = masker.forms();
  const sampleBytes = Math.max(64 * 1024, Math.floor((MiB * 400) / forms.length));
  const sample = log.slice(0, Math.min(log.length, sampleBytes));
  const tn = performance.now();
  naive(forms, sample);
  const naiveMbps = sample.length / MiB / ((performance.now() - tn) / 1000);

  rows.push([
    String(count),
    String(forms.length),
    String(ac.depth.length),
    buildMs.toFixed(0),
    mbps.toFixed(0),
    ((best * 1e6) / log.length).toFixed(2),
    naiveMbps.toFixed(naiveMbps < 10 ? 2 : 0),
    `${(mbps / naiveMbps).toFixed(0)}x`,
  ]);
}

console.log(`pitcrew masker benchmark: ${logMiB} MiB of synthetic CI log (ASCII, 1 secret per ~1000 lines), 64 KiB chunks, best of 5; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| ' + header.join(' | ') + ' |');
console.log('|' + header.map(() => ' ---').join(' |') + ' |');
for (const row of rows) console.log('| ' + row.join(' | ') + ' |');

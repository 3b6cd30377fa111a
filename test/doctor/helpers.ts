/** Shared set-up for the doctor tests: temp folders, a config file, a closed port, and doctor run through the real CLI. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { DoctorReport } from '../../src/doctor/index.js';

type After = { after: (fn: () => void | Promise<void>) => void };

export function tempDir(t: After, prefix = 'pitcrew-doctor-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'pitcrew.yml');
  writeFileSync(file, yaml);
  return file;
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface DoctorRun {
  code: number;
  report: DoctorReport;
  out: string;
  err: string;
  check(id: string): DoctorReport['checks'][number];
}

/** Runs `pitcrew doctor ARGS --json` and also the human form, returning both. */
export async function doctor(args: string[], env: Record<string, string>, cwd: string): Promise<DoctorRun> {
  const io = memoryIo({ cwd });
  const code = await main(['--json', 'doctor', ...args], env, io);
  if (code > 1) throw new Error(`doctor exited ${code}: ${io.err()}`);
  const report = JSON.parse(io.out()) as DoctorReport;
  const human = memoryIo({ cwd });
  await main(['doctor', ...args], env, human);
  return {
    code,
    report,
    out: human.out(),
    err: io.err(),
    check(id) {
      const c = report.checks.find((x) => x.id === id);
      if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
      return c;
    },
  };
}
